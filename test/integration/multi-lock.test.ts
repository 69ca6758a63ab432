import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../src/index.js';
import {
  LeaseLostError,
  LockTimeoutError,
  MultiLock,
  Mutex,
  ReadWriteLock,
  Semaphore,
} from '../../src/recipes/index.js';
import type { Lockable, LockLease } from '../../src/recipes/index.js';
import { until } from '../support/poll.js';
import { uniqueRoot } from './helpers.js';
import { assertDisjoint, IN_BACKGROUND, sessions } from './recipe-helpers.js';

const { open, closeAll } = sessions();
afterEach(closeAll);

/** A part whose releases are logged (begun, then confirmed), optionally with another token. */
function logged(name: string, lock: Lockable, log: string[], fencingToken?: bigint): Lockable {
  return {
    acquire: async (options) => {
      const lease = await lock.acquire(options);
      const part: LockLease = {
        path: lease.path,
        fencingToken: fencingToken ?? lease.fencingToken,
        signal: lease.signal,
        get held() {
          return lease.held;
        },
        assertHeld: () => {
          lease.assertHeld();
        },
        release: async (releaseOptions) => {
          log.push(name);
          await lease.release(releaseOptions);
          log.push(`${name} gone`);
        },
        [Symbol.asyncDispose]: () => part.release(),
      };
      return part;
    },
  };
}

describe('MultiLock', () => {
  it('excludes like one lock when every process takes the parts in the same order', async () => {
    const zks = await Promise.all([open(), open(), open()]);
    const root = uniqueRoot('multi');
    const intervals: [number, number][] = [];
    await Promise.all(
      zks.map(async (zk) => {
        const both = new MultiLock([new Mutex(zk, `${root}/a`), new Mutex(zk, `${root}/b`)]);
        for (let i = 0; i < 3; i++) {
          await both.withLock(async () => {
            const start = performance.now();
            await sleep(Math.random() * 5);
            intervals.push([start, performance.now()]);
          });
        }
      }),
    );
    expect(intervals).toHaveLength(9);
    assertDisjoint(intervals);
  });

  it('takes all or none: a timeout or an abort on the second part releases the first', async () => {
    const [a, b] = [await open(), await open()];
    const root = uniqueRoot('multi');
    const [first, second] = [new Mutex(a, `${root}/first`), new Mutex(a, `${root}/second`)];
    const blocker = await new Mutex(b, `${root}/second`).acquire();
    const both = new MultiLock([first, second]);
    /** Until `both`, having given up, has left both queues: only the blocker is on the second. */
    const gaveUp = async (): Promise<void> => {
      await until(
        'no node left on the first lock',
        async () => (await first.participants()).length === 0,
        IN_BACKGROUND,
      );
      await until(
        'only the blocker left on the second lock',
        async () => (await second.participants()).length === 1,
        IN_BACKGROUND,
      );
    };

    const error: unknown = await both.acquire({ timeout: 200 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LockTimeoutError);
    expect(error).toMatchObject({ path: `${root}/second`, timeoutMs: 200 });
    await gaveUp();

    const controller = new AbortController();
    const reason = new Error('changed my mind');
    const aborted = both.acquire({ signal: controller.signal });
    await until(
      'the multi-lock to queue on the second lock',
      async () => (await second.participants()).length === 2,
      IN_BACKGROUND,
    );
    expect(await first.holder()).toBeDefined();
    controller.abort(reason);
    await expect(aborted).rejects.toBe(reason);
    await gaveUp();

    await blocker.release();
    const lease = await both.acquire({ timeout: 10_000 });
    expect(lease.parts).toHaveLength(2);
    await lease.release();
    expect(() => new MultiLock([])).toThrow(InvalidArgumentError);
  });

  it('mixes kinds; token is the largest, path the last part’s; signal follows any part; releases last first', async () => {
    const [a, b] = [await open(), await open()];
    const root = uniqueRoot('multi');
    const log: string[] = [];
    const huge = 1n << 60n;
    const multi = new MultiLock([
      logged('mutex', new Mutex(a, `${root}/mutex`), log, huge),
      logged('write', new ReadWriteLock(a, `${root}/rw`).writeLock, log),
      logged('semaphore', new Semaphore(b, `${root}/sem`, { leases: 1 }), log),
    ]);
    const lease = await multi.acquire();
    const [mutexPart, , semaphorePart] = lease.parts;
    expect(lease.fencingToken).toBe(huge);
    expect(lease.path).toBe(semaphorePart!.path);
    expect(lease.held).toBe(true);

    await b.delete(mutexPart!.path);
    await until("the lease's signal to abort", () => lease.signal.aborted, IN_BACKGROUND);
    expect(lease.signal.reason).toBeInstanceOf(LeaseLostError);
    expect(lease.signal.reason).toMatchObject({ path: mutexPart!.path, lossCause: 'nodeDeleted' });
    expect(lease.held).toBe(false);

    await lease.release();
    expect(log).toEqual([
      'semaphore',
      'semaphore gone',
      'write',
      'write gone',
      'mutex',
      'mutex gone',
    ]);
    for (const part of lease.parts) expect(await a.exists(part.path)).toBeNull();
  });
});

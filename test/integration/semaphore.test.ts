import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../src/index.js';
import { LockTimeoutError, Semaphore } from '../../src/recipes/index.js';
import { until } from '../support/poll.js';
import { uniqueRoot } from './helpers.js';
import { childrenOf, IN_BACKGROUND, sessions } from './recipe-helpers.js';

const { open, closeAll } = sessions();
afterEach(closeAll);

describe('Semaphore', () => {
  it('never lets more than N hold at once', async () => {
    const zks = await Promise.all([open(), open(), open(), open()]);
    const path = `${uniqueRoot('sem')}/pool`;
    let holding = 0;
    let most = 0;
    let done = 0;
    const rounds = 3;
    await Promise.all(
      zks.map(async (zk) => {
        const semaphore = new Semaphore(zk, path, { leases: 2 });
        for (let i = 0; i < rounds; i++) {
          await semaphore.withLease(async () => {
            most = Math.max(most, ++holding);
            await sleep(Math.random() * 5);
            holding--;
            done++;
          });
        }
      }),
    );
    expect(most).toBeLessThanOrEqual(2);
    expect(done).toBe(zks.length * rounds);
  });

  it('uses the Curator layout; timeout and abort leave neither a lease nor the mutex behind', async () => {
    const [a, b, c] = [await open(), await open(), await open()];
    const path = `${uniqueRoot('sem')}/pool`;
    const [locks, leases] = [`${path}/locks`, `${path}/leases`];
    const semaphore = (zk: typeof a): Semaphore => new Semaphore(zk, path, { leases: 2, id: 'w' });
    const first = await semaphore(a).acquire();
    const second = await semaphore(b).acquire();
    expect(first.path).toMatch(new RegExp(`^${leases}/_c_[0-9a-f-]{36}-lease-\\d{10}$`));
    expect((await a.exists(first.path))?.czxid).toBe(first.fencingToken);
    expect(await childrenOf(a, locks)).toEqual([]);
    const entries = await semaphore(c).participants();
    expect(entries.map((e) => [e.path, e.holds])).toEqual([
      [first.path, true],
      [second.path, true],
    ]);
    expect(JSON.parse(entries[0]!.data.toString())).toMatchObject({ id: 'w' });

    const waiter = semaphore(c);
    await expect(waiter.tryAcquire()).resolves.toBeUndefined();
    expect(await childrenOf(a, leases)).toHaveLength(2);
    expect(await childrenOf(a, locks)).toEqual([]);
    await expect(waiter.acquire({ timeout: 150 })).rejects.toBeInstanceOf(LockTimeoutError);
    await until(
      '2 lease nodes left after the timeout',
      async () => (await childrenOf(a, leases)).length === 2,
      IN_BACKGROUND,
    );
    await until(
      'no mutex node left after the timeout',
      async () => (await childrenOf(a, locks)).length === 0,
      IN_BACKGROUND,
    );

    // The waiter at the head holds the internal mutex with its lease node out; the next one queues
    // on the mutex, not on `leases`.
    const controller = new AbortController();
    const reason = new Error('changed my mind');
    const aborted = waiter.acquire({ signal: controller.signal });
    await until(
      'the waiter to create its lease node',
      async () => (await childrenOf(a, leases)).length === 3,
      IN_BACKGROUND,
    );
    expect((await waiter.participants()).map((e) => e.holds)).toEqual([true, true, false]);
    const next = semaphore(b).acquire();
    await until(
      'the next waiter to queue on the mutex',
      async () => (await childrenOf(a, locks)).length === 2,
      IN_BACKGROUND,
    );
    controller.abort(reason);
    await expect(aborted).rejects.toBe(reason);
    // The next waiter takes over the mutex and waits for room in its place.
    await until(
      'the aborted waiter to leave the mutex',
      async () => (await childrenOf(a, locks)).length === 1,
      IN_BACKGROUND,
    );
    await until(
      'the next waiter to wait for room',
      async () => (await childrenOf(a, leases)).length === 3,
      IN_BACKGROUND,
    );

    await first.release();
    const third = await next;
    expect(third.fencingToken).toBeGreaterThan(second.fencingToken);
    expect(await childrenOf(a, locks)).toEqual([]);
    await Promise.all([second.release(), third.release()]);
    expect(await childrenOf(a, leases)).toEqual([]);
  });

  it('refuses a lease count that is not a positive integer', async () => {
    const zk = await open();
    for (const leases of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => new Semaphore(zk, '/pool', { leases })).toThrow(InvalidArgumentError);
    }
  });
});

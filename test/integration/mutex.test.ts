import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { ClientClosedError, NoNodeError } from '../../src/index.js';
import { LeaseLostError, LockTimeoutError, Mutex } from '../../src/recipes/index.js';
import type { Lease } from '../../src/recipes/index.js';
import { until } from '../support/poll.js';
import { uniqueRoot } from './helpers.js';
import { IN_BACKGROUND, sessions } from './recipe-helpers.js';

const { open: client, closeAll } = sessions();

afterEach(closeAll);

describe('Mutex', () => {
  it('excludes: unguarded increments by contending sessions lose nothing, intervals never overlap', async () => {
    const path = `${uniqueRoot('mutex')}/lock`;
    const counterPath = `${path}-counter`;
    const zks = await Promise.all([client(), client(), client(), client()]);
    await zks[0].create(counterPath.slice(0, counterPath.lastIndexOf('/')));
    await zks[0].create(counterPath, '0');
    const intervals: [number, number][] = [];
    const tokens: bigint[] = [];
    const rounds = 5;
    await Promise.all(
      zks.map(async (zk) => {
        const mutex = new Mutex(zk, path);
        for (let i = 0; i < rounds; i++) {
          await mutex.withLock(async (lease) => {
            const start = performance.now();
            tokens.push(lease.fencingToken);
            const { data } = await zk.getData(counterPath);
            await sleep(Math.random() * 5);
            await zk.setData(counterPath, String(Number(data.toString()) + 1));
            intervals.push([start, performance.now()]);
          });
        }
      }),
    );
    const { data } = await zks[0].getData(counterPath);
    expect(Number(data.toString())).toBe(zks.length * rounds);
    intervals.sort((a, b) => a[0] - b[0]);
    for (let i = 1; i < intervals.length; i++) {
      expect(intervals[i]![0]).toBeGreaterThanOrEqual(intervals[i - 1]![1]);
    }
    // Fencing tokens grow from holder to holder.
    expect(tokens).toEqual([...tokens].sort((a, b) => (a < b ? -1 : 1)));
    expect(new Set(tokens).size).toBe(tokens.length);
  });

  it('uses the Curator layout, creates missing parents as containers and reports its queue', async () => {
    const zk = await client();
    const path = `${uniqueRoot('mutex')}/a/b`;
    const mutex = new Mutex(zk, path, { id: 'worker-7' });
    const lease = await mutex.acquire();
    expect(lease.path).toMatch(new RegExp(`^${path}/_c_[0-9a-f-]{36}-lock-\\d{10}$`));
    expect(lease.sessionId).toBe(zk.sessionId);
    const parent = await zk.getData(path);
    expect(parent.stat.ephemeralOwner).toBe(0n);
    const holder = await mutex.holder();
    expect(holder?.path).toBe(lease.path);
    expect(JSON.parse(holder!.data.toString())).toMatchObject({ pid: process.pid, id: 'worker-7' });
    await lease.release();
    expect(await zk.exists(lease.path)).toBeNull();
    expect(await mutex.holder()).toBeUndefined();
  });

  it('times out, tries, and aborts without leaving a node in the queue', async () => {
    const [a, b] = [await client(), await client()];
    const path = `${uniqueRoot('mutex')}/lock`;
    const held = await new Mutex(a, path).acquire();
    const waiter = new Mutex(b, path);
    await expect(waiter.acquire({ timeout: 200 })).rejects.toBeInstanceOf(LockTimeoutError);
    await expect(waiter.tryAcquire()).resolves.toBeUndefined();
    const controller = new AbortController();
    const reason = new Error('changed my mind');
    const positions: number[] = [];
    const aborted = waiter.acquire({
      signal: controller.signal,
      onPosition: (p) => positions.push(p),
    });
    await until('the waiter to report its place', () => positions.length > 0, IN_BACKGROUND);
    controller.abort(reason);
    await expect(aborted).rejects.toBe(reason);
    expect(positions).toEqual([1]);
    await until(
      'the aborted waiter to leave the queue',
      async () => (await waiter.participants()).length === 1,
      IN_BACKGROUND,
    );
    await held.release();
    const next = await waiter.tryAcquire();
    expect(next).toBeDefined();
    expect(next!.fencingToken).toBeGreaterThan(held.fencingToken);
  });

  it('hands over in queue order', async () => {
    const zks = await Promise.all([client(), client(), client()]);
    const path = `${uniqueRoot('mutex')}/lock`;
    const first = await new Mutex(zks[0], path).acquire();
    const order: number[] = [];
    const waiters: Promise<Lease>[] = [];
    for (const i of [1, 2]) {
      const mutex = new Mutex(zks[i]!, path);
      waiters.push(
        mutex.acquire().then((lease) => {
          order.push(i);
          return lease;
        }),
      );
      await until(
        `waiter ${i + 1} to queue`,
        async () => (await mutex.participants()).length === i + 1,
        IN_BACKGROUND,
      );
    }
    await first.release();
    const second = await waiters[0]!;
    await second.release();
    const third = await waiters[1]!;
    await third.release();
    expect(order).toEqual([1, 2]);
  });

  it('aborts lease.signal when someone else deletes the node, and on close', async () => {
    const [a, b] = [await client(), await client()];
    const path = `${uniqueRoot('mutex')}/lock`;
    const lease = await new Mutex(a, path).acquire();
    await b.delete(lease.path);
    await until("the lease's signal to abort", () => lease.signal.aborted, IN_BACKGROUND);
    expect(lease.signal.reason).toBeInstanceOf(LeaseLostError);
    expect((lease.signal.reason as LeaseLostError).lossCause).toBe('nodeDeleted');

    const second = await new Mutex(b, path).acquire();
    const waiting = new Mutex(a, path).acquire();
    await b.close();
    expect((second.signal.reason as LeaseLostError).lossCause).toBe('closed');
    await expect(waiting).resolves.toBeDefined();
    await a.close();
    await expect(new Mutex(a, path).acquire()).rejects.toBeInstanceOf(ClientClosedError);
  });

  it('lease.transaction() commits only while the lock is held', async () => {
    const [a, b] = [await client(), await client()];
    const root = uniqueRoot('mutex');
    const lease = await new Mutex(a, `${root}/lock`).acquire();
    await lease.transaction().create(`${root}/guarded`, 'ok').commit();
    await b.delete(lease.path);
    await expect(lease.transaction().create(`${root}/late`, 'no').commit()).rejects.toBeInstanceOf(
      NoNodeError,
    );
    expect(await a.exists(`${root}/late`)).toBeNull();
  });
});

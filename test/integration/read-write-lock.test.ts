import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { LockTimeoutError, ReadWriteLock } from '../../src/recipes/index.js';
import type { Lease } from '../../src/recipes/index.js';
import { until } from '../support/poll.js';
import { uniqueRoot } from './helpers.js';
import { assertDisjoint, IN_BACKGROUND, sessions } from './recipe-helpers.js';

const { open, closeAll } = sessions();
afterEach(closeAll);

describe('ReadWriteLock', () => {
  it('excludes: writes lose nothing, a read sees no write, a write overlaps no other hold', async () => {
    const zks = await Promise.all([open(), open(), open(), open()]);
    const path = `${uniqueRoot('rw')}/lock`;
    const counterPath = `${path}-counter`;
    await zks[0].create(counterPath.slice(0, counterPath.lastIndexOf('/')));
    await zks[0].create(counterPath, '0');
    const holds: { write: boolean; interval: [number, number] }[] = [];
    const rounds = 4;
    await Promise.all(
      zks.map(async (zk, i) => {
        const rw = new ReadWriteLock(zk, path);
        for (let round = 0; round < rounds; round++) {
          const write = (i + round) % 2 === 0;
          await (write ? rw.writeLock : rw.readLock).withLock(async () => {
            const start = performance.now();
            const before = (await zk.getData(counterPath)).data.toString();
            await sleep(Math.random() * 5);
            if (write) await zk.setData(counterPath, String(Number(before) + 1));
            else expect((await zk.getData(counterPath)).data.toString()).toBe(before);
            holds.push({ write, interval: [start, performance.now()] });
          });
        }
      }),
    );
    const { data } = await zks[0].getData(counterPath);
    expect(Number(data.toString())).toBe((zks.length * rounds) / 2);
    for (const write of holds.filter((h) => h.write)) {
      for (const other of holds)
        if (other !== write) assertDisjoint([write.interval, other.interval]);
    }
  });

  it('readers share; a reader waits only for a writer ahead of it; a writer waits for readers ahead', async () => {
    const zks = await Promise.all([open(), open(), open(), open(), open()]);
    const path = `${uniqueRoot('rw')}/lock`;
    const [w0, r1, r2, w3, r4] = zks.map((zk) => new ReadWriteLock(zk, path)) as [
      ReadWriteLock,
      ReadWriteLock,
      ReadWriteLock,
      ReadWriteLock,
      ReadWriteLock,
    ];
    const first = await w0.writeLock.acquire();
    const acquired: string[] = [];
    // Each waiter is in the queue before the next one comes; `acquired` records the order of holds.
    const queue = async (
      name: string,
      acquire: () => Promise<Lease>,
    ): Promise<{ lease: Promise<Lease> }> => {
      const before = (await w0.readLock.participants()).length;
      const pending = acquire().then((lease) => {
        acquired.push(name);
        return lease;
      });
      await until(
        `${name} to queue`,
        async () => (await w0.readLock.participants()).length === before + 1,
        IN_BACKGROUND,
      );
      return { lease: pending };
    };
    const reader1 = await queue('r1', () => r1.readLock.acquire());
    const reader2 = await queue('r2', () => r2.readLock.acquire());
    const writer3 = await queue('w3', () => w3.writeLock.acquire());
    const reader4 = await queue('r4', () => r4.readLock.acquire());
    expect(await w0.readLock.holders()).toEqual([]);
    expect((await w0.writeLock.holder())?.path).toBe(first.path);

    await first.release();
    // Both readers ahead of w3 hold together; the later writer does not hold them back.
    const [lease1, lease2] = await Promise.all([reader1.lease, reader2.lease]);
    expect((await w0.readLock.holders()).map((h) => h.path)).toEqual([lease1.path, lease2.path]);
    expect((await w0.readLock.participants()).map((p) => p.holds)).toEqual([
      true,
      true,
      false,
      false,
    ]);
    // r4 is blocked by w3 ahead of it even though only readers hold; so is a newcomer.
    expect(await r4.readLock.tryAcquire()).toBeUndefined();

    await lease1.release();
    expect((await w0.readLock.participants()).map((p) => p.holds)).toEqual([true, false, false]);
    await lease2.release();
    const lease3 = await writer3.lease;
    expect(await w0.writeLock.holder()).toMatchObject({ path: lease3.path });
    await lease3.release();
    const lease4 = await reader4.lease;
    await lease4.release();
    expect(acquired.slice(0, 2).sort()).toEqual(['r1', 'r2']);
    expect(acquired.slice(2)).toEqual(['w3', 'r4']);
    expect(lease3.fencingToken).toBeGreaterThan(lease2.fencingToken);
  });

  it('uses the Curator layout; try, timeout and abort leave no node behind', async () => {
    const [a, b] = [await open(), await open()];
    const path = `${uniqueRoot('rw')}/lock`;
    const [rwA, rwB] = [new ReadWriteLock(a, path, { id: 'reader-a' }), new ReadWriteLock(b, path)];
    const read = await rwA.readLock.acquire();
    expect(read.path).toMatch(new RegExp(`^${path}/_c_[0-9a-f-]{36}-__READ__\\d{10}$`));
    const shared = await rwB.readLock.tryAcquire();
    expect(shared).toBeDefined();
    const holders = await rwB.readLock.holders();
    expect(holders.map((h) => h.path)).toEqual([read.path, shared!.path]);
    expect(JSON.parse(holders[0]!.data.toString())).toMatchObject({ id: 'reader-a' });

    await expect(rwB.writeLock.tryAcquire()).resolves.toBeUndefined();
    await expect(rwB.writeLock.acquire({ timeout: 100 })).rejects.toBeInstanceOf(LockTimeoutError);
    const controller = new AbortController();
    const reason = new Error('changed my mind');
    const positions: number[] = [];
    const aborted = rwB.writeLock.acquire({
      signal: controller.signal,
      onPosition: (p) => positions.push(p),
    });
    await until('the reader to report its place', () => positions.length > 0, IN_BACKGROUND);
    controller.abort(reason);
    await expect(aborted).rejects.toBe(reason);
    expect(positions).toEqual([2]);
    await until(
      'the aborted reader to leave the queue',
      async () => (await rwA.readLock.participants()).length === 2,
      IN_BACKGROUND,
    );

    await shared!.release();
    await read.release();
    const write = await rwB.writeLock.tryAcquire();
    expect(write?.path).toMatch(new RegExp(`^${path}/_c_[0-9a-f-]{36}-__WRIT__\\d{10}$`));
    expect((await rwA.writeLock.holder())?.path).toBe(write!.path);
    expect(await rwA.readLock.holder()).toBeUndefined();
    await expect(rwA.readLock.tryAcquire()).resolves.toBeUndefined();
    expect(write!.fencingToken).toBeGreaterThan(read.fencingToken);
    await write!.release();
    expect(await rwA.readLock.participants()).toEqual([]);
  });
});

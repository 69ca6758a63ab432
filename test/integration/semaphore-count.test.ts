import diagnosticsChannel from 'node:diagnostics_channel';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { ClientClosedError, InvalidArgumentError } from '../../src/index.js';
import type { ZooKeeper } from '../../src/index.js';
import {
  Lease,
  LeaseLostError,
  LockTimeoutError,
  MultiLease,
  Semaphore,
} from '../../src/recipes/index.js';
import type { LockMessage } from '../../src/recipes/index.js';
import { rejectionOf, until } from '../support/poll.js';
import { uniqueRoot } from './helpers.js';
import { childrenOf, IN_BACKGROUND, sessions, untilOnlyHolders } from './recipe-helpers.js';

// acquire({ count }): several leases at once, all or none, taken while holding the internal mutex.

const { open, closeAll } = sessions();
afterEach(closeAll);

function leasesOf(zk: ZooKeeper, path: string): Promise<string[]> {
  return childrenOf(zk, `${path}/leases`);
}

describe('Semaphore acquire({ count })', () => {
  it('takes all or none: waits while too few are free, times out leaving nothing, then takes them together', async () => {
    const [a, b, c, d] = [await open(), await open(), await open(), await open()];
    const path = `${uniqueRoot('sem')}/pool`;
    const semaphore = (zk: ZooKeeper): Semaphore => new Semaphore(zk, path, { leases: 3 });
    const first = await semaphore(a).acquire();
    const second = await semaphore(b).acquire();

    await expect(semaphore(c).acquire({ count: 2, timeout: 200 })).rejects.toBeInstanceOf(
      LockTimeoutError,
    );
    await untilOnlyHolders(a, path, 2);

    const pending = semaphore(c).acquire({ count: 2 });
    // Both its nodes are out while it waits, holding the internal mutex: one lease is free, but
    // nobody behind it gets it.
    await until(
      "the pending acquire's two lease nodes",
      async () => (await leasesOf(a, path)).length === 4,
      IN_BACKGROUND,
    );
    await expect(semaphore(d).tryAcquire()).resolves.toBeUndefined();
    const behind = semaphore(d).acquire();
    await until(
      'the waiter behind it to queue on the mutex',
      async () => (await childrenOf(a, `${path}/locks`)).length === 2,
      IN_BACKGROUND,
    );

    await first.release();
    const both = await pending;
    expect(both).toBeInstanceOf(MultiLease);
    const parts = (both as MultiLease).parts;
    expect(parts).toHaveLength(2);
    const czxids = await Promise.all(parts.map(async (part) => (await a.exists(part.path))?.czxid));
    expect(czxids.every((czxid) => czxid !== undefined && czxid > second.fencingToken)).toBe(true);
    expect(both.fencingToken).toBe(czxids.reduce((x, y) => (x! > y! ? x : y)));
    expect(both.path).toBe(parts[1]?.path);
    expect(both.held).toBe(true);
    // The third waiter now holds the mutex: 3 held, its node waiting.
    await until(
      'the third waiter to hold the mutex, its lease node out',
      async () => (await leasesOf(a, path)).length === 4,
      IN_BACKGROUND,
    );

    await both.release();
    expect(both.held).toBe(false);
    for (const part of parts) expect(await a.exists(part.path)).toBeNull();
    const third = await behind;
    expect(await leasesOf(a, path)).toHaveLength(2);
    await Promise.all([second.release(), third.release()]);
    await untilOnlyHolders(a, path, 0);
  });

  it('refuses a count that is not a positive integer at most N, before sending anything', async () => {
    const zk = await open();
    const path = `${uniqueRoot('sem')}/pool`;
    const semaphore = new Semaphore(zk, path, { leases: 3 });
    for (const count of [4, 0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(await rejectionOf(semaphore.acquire({ count }))).toBeInstanceOf(InvalidArgumentError);
      expect(await rejectionOf(semaphore.tryAcquire({ count }))).toBeInstanceOf(
        InvalidArgumentError,
      );
      expect(await rejectionOf(semaphore.withLease(() => 'never', { count }))).toBeInstanceOf(
        InvalidArgumentError,
      );
    }
    const notANumber: unknown = '2';
    const error = await rejectionOf(semaphore.acquire({ count: notANumber as number }));
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect(await zk.exists(path)).toBeNull();
  });

  it('returns a plain Lease for count 1 and a MultiLease for more; tryAcquire and withLease take count too', async () => {
    const [a, b] = [await open(), await open()];
    const path = `${uniqueRoot('sem')}/pool`;
    const semaphore = new Semaphore(a, path, { leases: 3 });
    const held = await new Semaphore(b, path, { leases: 3 }).acquire({ count: 2 });

    await expect(semaphore.tryAcquire({ count: 2 })).resolves.toBeUndefined();
    await untilOnlyHolders(a, path, 2);
    const one = await semaphore.tryAcquire({ count: 1 });
    expect(one).toBeInstanceOf(Lease);
    await one?.release();

    await held.release();
    await untilOnlyHolders(a, path, 0);
    const all = await semaphore.tryAcquire({ count: 3 });
    expect(all).toBeInstanceOf(MultiLease);
    expect(await leasesOf(a, path)).toHaveLength(3);
    await all?.release();

    const seen = await semaphore.withLease(
      async (lease) => {
        expect(lease).toBeInstanceOf(MultiLease);
        expect(await leasesOf(a, path)).toHaveLength(2);
        return (lease as MultiLease).parts.length;
      },
      { count: 2, timeout: 5_000 },
    );
    expect(seen).toBe(2);
    await untilOnlyHolders(a, path, 0);
  });

  it('leaves nothing behind when the wait is aborted or the session ends', async () => {
    const [a, b, c] = [await open(), await open(), await open()];
    const path = `${uniqueRoot('sem')}/pool`;
    const held = await new Semaphore(a, path, { leases: 2 }).acquire();

    const controller = new AbortController();
    const reason = new Error('changed my mind');
    const aborted = new Semaphore(b, path, { leases: 2 }).acquire({
      count: 2,
      signal: controller.signal,
    });
    await until(
      'the acquire to be aborted to take one lease',
      async () => (await leasesOf(a, path)).length === 3,
      IN_BACKGROUND,
    );
    controller.abort(reason);
    await expect(aborted).rejects.toBe(reason);
    await untilOnlyHolders(a, path, 1);

    // Handled from the start: it may reject before close() resolves.
    const closed = rejectionOf(new Semaphore(c, path, { leases: 2 }).acquire({ count: 2 }));
    await until(
      'the acquire on c to take one lease',
      async () => (await leasesOf(a, path)).length === 3,
      IN_BACKGROUND,
    );
    await c.close();
    expect(await closed).toBeInstanceOf(ClientClosedError);
    await untilOnlyHolders(a, path, 1);
    await held.release();
  });

  it('aborts the signal of the whole hold when one of its nodes is deleted', async () => {
    const [a, b] = [await open(), await open()];
    const path = `${uniqueRoot('sem')}/pool`;
    const both = await new Semaphore(a, path, { leases: 2 }).acquire({ count: 2 });
    const parts = (both as MultiLease).parts;
    await b.delete(parts[0]!.path);
    await until("the lease's signal to abort", () => both.signal.aborted, IN_BACKGROUND);
    expect(both.signal.reason).toBeInstanceOf(LeaseLostError);
    expect(both.held).toBe(false);
    await both.release();
    await untilOnlyHolders(a, path, 0);
  });

  it('publishes one acquired per lease node', async () => {
    const zk = await open();
    const path = `${uniqueRoot('sem')}/pool`;
    const messages: LockMessage[] = [];
    const onMessage = (message: unknown): void => {
      messages.push(message as LockMessage);
    };
    diagnosticsChannel.subscribe('zkcoord:lock', onMessage);
    try {
      const lease = await new Semaphore(zk, path, { leases: 3 }).acquire({ count: 3 });
      await lease.release();
    } finally {
      diagnosticsChannel.unsubscribe('zkcoord:lock', onMessage);
    }
    const acquired = messages.filter((m) => m.event === 'acquired').map((m) => m.node);
    const released = messages.filter((m) => m.event === 'released').map((m) => m.node);
    expect(acquired).toHaveLength(3);
    expect([...released].sort()).toEqual([...acquired].sort());
  });

  // Taking the leases one at a time, as Curator does, deadlocks as soon as every acquirer holds
  // part of what it asked for and the rest is gone; here each round ends in a timeout then.
  it.each([
    { leases: 3, acquirers: 2 },
    { leases: 3, acquirers: 3 },
    { leases: 2, acquirers: 2 },
  ])(
    'never deadlocks nor exceeds N with $acquirers count-2 acquirers and N = $leases',
    async ({ leases, acquirers }) => {
      const zks = await Promise.all(Array.from({ length: acquirers }, () => open()));
      const path = `${uniqueRoot('sem')}/pool`;
      let holding = 0;
      let most = 0;
      let done = 0;
      const rounds = 4;
      await Promise.all(
        zks.map(async (zk) => {
          const semaphore = new Semaphore(zk, path, { leases });
          for (let i = 0; i < rounds; i++) {
            await semaphore.withLease(
              async () => {
                holding += 2;
                most = Math.max(most, holding);
                await sleep(Math.random() * 10);
                holding -= 2;
                done++;
              },
              { count: 2, timeout: 15_000 },
            );
          }
        }),
      );
      expect(done).toBe(acquirers * rounds);
      expect(most).toBeLessThanOrEqual(leases);
      await untilOnlyHolders(zks[0]!, path, 0);
    },
  );
});

import diagnosticsChannel from 'node:diagnostics_channel';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {
  RequestEndMessage,
  RequestStartMessage,
  WatchMessage,
  ZooKeeper,
} from '../../src/index.js';
import { LockTimeoutError, Mutex, ReadWriteLock } from '../../src/recipes/index.js';
import type { Lease, ReadLock, WriteLock } from '../../src/recipes/index.js';
import { watchIfPresent } from '../../src/recipes/coordination/node-watch.js';
import { until } from '../support/poll.js';
import { clientsClosedAfterEach, uniqueRoot } from './helpers.js';
import { IN_BACKGROUND } from './recipe-helpers.js';

// How a waiter moves through the queue: what it asks the server, and when.

const connect = clientsClosedAfterEach();
const client = (): Promise<ZooKeeper> => connect('', { sessionTimeout: 10_000 });

/** The operations each of `zks` sends while `during` runs, from the client's request channel. */
async function requestsOf<T>(
  zks: readonly ZooKeeper[],
  during: (ops: readonly (readonly string[])[]) => Promise<T>,
): Promise<[T, string[][]]> {
  const ops = zks.map((): string[] => []);
  const onMessage = (message: unknown): void => {
    const m = message as RequestStartMessage | RequestEndMessage;
    const who = zks.findIndex((zk) => zk.sessionId === m.sessionId);
    if (m.phase === 'start' && who >= 0) ops[who]!.push(m.op);
  };
  diagnosticsChannel.subscribe('zkcoord:request', onMessage);
  try {
    return [await during(ops), ops];
  } finally {
    diagnosticsChannel.unsubscribe('zkcoord:request', onMessage);
  }
}

/** Every getData that succeeded (so set its watch), by session: `sessionId path`. */
const watchesSet = new Set<string>();
const recordWatch = (message: unknown): void => {
  const m = message as RequestStartMessage | RequestEndMessage;
  if (m.phase === 'end' && m.op === 'getData' && m.error === undefined) {
    watchesSet.add(`${String(m.sessionId)} ${String(m.path)}`);
  }
};
beforeAll(() => {
  diagnosticsChannel.subscribe('zkcoord:request', recordWatch);
});
afterAll(() => diagnosticsChannel.unsubscribe('zkcoord:request', recordWatch));

/**
 * Whether `zk` has set a watch on the node of the queue at `index`. `queue` must belong to
 * another client: reading the queue is a getData of every node.
 */
async function watches(zk: ZooKeeper, queue: Mutex | ReadLock, index: number): Promise<boolean> {
  const node = (await queue.participants())[index];
  return node !== undefined && watchesSet.has(`${String(zk.sessionId)} ${node.path}`);
}

/**
 * Until `zk` has set its watches on the queue's nodes at `indexes`: a waiter reports its place
 * before it sets them, so this, not onPosition, says it is settled.
 */
async function watchingQueue(zk: ZooKeeper, queue: Mutex | ReadLock, indexes: number[]) {
  await until(
    `watches on the nodes at ${indexes.join(', ')}`,
    async () => {
      const set = await Promise.all(indexes.map((index) => watches(zk, queue, index)));
      return set.every(Boolean);
    },
    IN_BACKGROUND,
  );
}

/** A waiter's acquire with the places it reported, queued before the call returns. */
async function queued(zk: ZooKeeper, path: string) {
  const positions: number[] = [];
  const waiting = new Mutex(zk, path).acquire({ onPosition: (p) => positions.push(p) });
  await until('the waiter to report its place', () => positions.length === 1, IN_BACKGROUND);
  return { waiting, positions };
}

describe('a waiter two places back', () => {
  it('lists again while the one ahead holds, so the release hands over with no request on the way', async () => {
    const path = `${uniqueRoot('queue')}/lock`;
    const [h, a, b, c] = await Promise.all([client(), client(), client(), client()]);
    const held = await new Mutex(h, path).acquire();
    const { waiting: aWaiting } = await queued(a, path);
    const { waiting: bWaiting } = await queued(b, path);
    const { waiting: cWaiting, positions } = await queued(c, path);
    expect(positions).toEqual([3]);
    await watchingQueue(c, new Mutex(h, path), [1, 2]);

    // c watches b (its blocker) and a (the node ahead of b): h's release does not concern it.
    const [aLease, [cOps]] = await requestsOf([c], async () => {
      await held.release();
      return aWaiting;
    });
    expect(cOps).toEqual([]);
    // a's release wakes b, which takes the lock, and c, which lists again while b holds.
    const [bLease, [cListing]] = await requestsOf([c], async () => {
      await aLease.release();
      const lease = await bWaiting;
      await until(
        'the waiter to report its new place',
        () => positions.length === 2,
        IN_BACKGROUND,
      );
      return lease;
    });
    expect(cListing).toEqual(['getChildren2']);
    expect(positions).toEqual([3, 1]);

    // So b's release hands over to c with no request of c's on the way.
    const [cLease, [handOver]] = await requestsOf([c], async () => {
      await bLease.release();
      return cWaiting;
    });
    expect(handOver).toEqual([]);
    expect(positions).toEqual([3, 1, 0]);
    expect(cLease.fencingToken).toBeGreaterThan(bLease.fencingToken);
    await cLease.release();
  });

  it('keeps its place when the data of a node ahead changes, and the order holds', async () => {
    const path = `${uniqueRoot('queue')}/lock`;
    const [h, a, b, c] = await Promise.all([client(), client(), client(), client()]);
    const held = await new Mutex(h, path).acquire();
    const order: string[] = [];
    // Queued one after the other, so that a is ahead of b and b of c.
    const waits: Promise<Lease>[] = [];
    for (const [who, zk] of [
      ['a', a],
      ['b', b],
      ['c', c],
    ] as const) {
      const { waiting } = await queued(zk, path);
      waits.push(waiting.then((lease) => (order.push(who), lease)));
    }
    // A data event on every node someone waits behind: b watches h and a, c watches a and b
    // (and, having kept no listing, must list again to go on waiting).
    for (const entry of (await new Mutex(h, path).participants()).slice(0, 3)) {
      await h.setData(entry.path, 'changed');
    }
    await sleep(200);
    expect(order).toEqual([]);

    await held.release();
    for (const waiting of waits) await (await waiting).release();
    expect(order).toEqual(['a', 'b', 'c']);
  });
});

describe('readers queued behind a writer', () => {
  it('sleep when the reader ahead of the writer goes: only the first of them lists again', async () => {
    const path = `${uniqueRoot('queue')}/rw`;
    const [h1, h2, w, r1, r2, r3] = await Promise.all([
      client(),
      client(),
      client(),
      client(),
      client(),
      client(),
    ]);
    const first = await new ReadWriteLock(h1, path).readLock.acquire();
    const second = await new ReadWriteLock(h2, path).readLock.acquire();
    const positioned = async (zk: ZooKeeper, lock: ReadLock | WriteLock) => {
      const positions: number[] = [];
      const waiting = lock.acquire({ onPosition: (p) => positions.push(p) });
      await until('the contender to report its place', () => positions.length === 1, IN_BACKGROUND);
      return { waiting };
    };
    const { waiting: writing } = await positioned(w, new ReadWriteLock(w, path).writeLock);
    const readers = [r1, r2, r3].map((zk) => new ReadWriteLock(zk, path).readLock);
    const reading: Promise<Lease>[] = [];
    for (const [i, zk] of [r1, r2, r3].entries()) {
      reading.push((await positioned(zk, readers[i]!)).waiting);
    }
    // Queue: two readers holding, the writer, three readers waiting for it. The first waiting
    // reader also watches the reader ahead of the writer; the other two only the writer.
    const queue = new ReadWriteLock(h1, path).readLock;
    await watchingQueue(r1, queue, [1, 2]);
    await watchingQueue(r2, queue, [2]);
    await watchingQueue(r3, queue, [2]);
    expect(await watches(r2, queue, 1)).toBe(false);
    expect(await watches(r3, queue, 1)).toBe(false);

    const [, ops] = await requestsOf([r1, r2, r3], async (seen) => {
      await second.release();
      // The first reader lists, then watches the reader now heading the queue.
      await until('the first reader to list and watch', () => seen[0]!.length === 2, IN_BACKGROUND);
    });
    expect(ops).toEqual([['getChildren2', 'getData'], [], []]);
    await first.release();
    await (await writing).release();
    for (const lease of await Promise.all(reading)) await lease.release();
  });
});

describe('a waiter that gives up', () => {
  it("takes its watches along: the holder's release later reaches none of them", async () => {
    const path = `${uniqueRoot('queue')}/lock`;
    const [h, w] = await Promise.all([client(), client()]);
    const held = await new Mutex(h, path).acquire();
    // Each try queues right behind the holder, watches it (nothing else: the holder heads the
    // queue), times out and leaves.
    const mutex = new Mutex(w, path);
    // 500 ms: ample for each try to set its watch before it gives up.
    for (let i = 0; i < 3; i++) {
      await expect(mutex.acquire({ timeout: 500 })).rejects.toBeInstanceOf(LockTimeoutError);
    }
    const reached: number[] = [];
    const onMessage = (message: unknown): void => {
      const m = message as WatchMessage;
      if (m.serverPath === held.path) reached.push(m.listeners);
    };
    diagnosticsChannel.subscribe('zkcoord:watch', onMessage);
    try {
      await held.release();
      // The holder's own lease watch hears its node go; the waiter's client has nobody left.
      await until('the deletion to reach both clients', () => reached.length === 2, IN_BACKGROUND);
    } finally {
      diagnosticsChannel.unsubscribe('zkcoord:watch', onMessage);
    }
    expect(reached.sort()).toEqual([0, 1]);
  });
});

describe('a watch on a node ahead', () => {
  it('is not left on the server when the node is already gone', async () => {
    const zk = await client();
    const path = `${uniqueRoot('queue')}/lock-0000000001`;
    expect(await watchIfPresent(zk, path)).toBeNull();
    expect(await zk.checkWatches(path)).toBe(false);
    // What it guards against: exists would have left a watch for the node's creation.
    await zk.exists(path, { watch: true });
    expect(await zk.checkWatches(path)).toBe(true);
  });
});

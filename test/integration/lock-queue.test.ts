import diagnosticsChannel from 'node:diagnostics_channel';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import type { RequestEndMessage, RequestStartMessage, ZooKeeper } from '../../src/index.js';
import { Mutex } from '../../src/recipes/index.js';
import type { Lease } from '../../src/recipes/index.js';
import { watchIfPresent } from '../../src/recipes/internal/node-watch.js';
import { clientsClosedAfterEach, uniqueRoot } from './helpers.js';

// How a waiter moves through the queue: what it asks the server, and when.

const connect = clientsClosedAfterEach();
const client = (): Promise<ZooKeeper> => connect('', { sessionTimeout: 10_000 });

async function waitFor(condition: () => boolean | Promise<boolean>): Promise<void> {
  const deadline = performance.now() + 10_000;
  while (!(await condition())) {
    if (performance.now() > deadline) throw new Error('condition not met in time');
    await sleep(10);
  }
}

/** The operations `zk` sends while `during` runs, from the client's request channel. */
async function requestsOf<T>(zk: ZooKeeper, during: () => Promise<T>): Promise<[T, string[]]> {
  const ops: string[] = [];
  const onMessage = (message: unknown): void => {
    const m = message as RequestStartMessage | RequestEndMessage;
    if (m.phase === 'start' && m.sessionId === zk.sessionId) ops.push(m.op);
  };
  diagnosticsChannel.subscribe('zkcoord:request', onMessage);
  try {
    return [await during(), ops];
  } finally {
    diagnosticsChannel.unsubscribe('zkcoord:request', onMessage);
  }
}

/** Holder `h`'s lease and the acquires of `a` then `b` behind it, each queued before the next. */
async function queueOfThree(path: string) {
  const [h, a, b] = await Promise.all([client(), client(), client()]);
  const held = await new Mutex(h, path).acquire();
  const aPositions: number[] = [];
  const aWaiting = new Mutex(a, path).acquire({ onPosition: (p) => aPositions.push(p) });
  await waitFor(() => aPositions.length === 1);
  const bPositions: number[] = [];
  const bWaiting = new Mutex(b, path).acquire({ onPosition: (p) => bPositions.push(p) });
  await waitFor(() => bPositions.length === 1);
  return { h, b, held, path, aWaiting, bWaiting, bPositions };
}

describe('a waiter two places back', () => {
  it('lists again while the one ahead holds, so the release hands over with no request on the way', async () => {
    const { b, held, aWaiting, bWaiting, bPositions } = await queueOfThree(
      `${uniqueRoot('queue')}/lock`,
    );
    await held.release();
    const aLease = await aWaiting;
    // b saw the holder go (it watches the node ahead of its predecessor too) and listed again.
    await waitFor(() => bPositions.length === 2);
    expect(bPositions).toEqual([2, 1]);

    const [bLease, ops] = await requestsOf(b, async () => {
      await aLease.release();
      return bWaiting;
    });
    expect(ops).toEqual([]);
    expect(bPositions).toEqual([2, 1, 0]);
    expect(bLease.fencingToken).toBeGreaterThan(aLease.fencingToken);
    await bLease.release();
  });

  it('keeps its place when the data of a node ahead changes, and the order holds', async () => {
    const { h, held, path, aWaiting, bWaiting } = await queueOfThree(`${uniqueRoot('queue')}/lock`);
    const order: string[] = [];
    const aAcquired = aWaiting.then((lease) => (order.push('a'), lease));
    const bAcquired = bWaiting.then((lease) => (order.push('b'), lease));
    const [, aNode] = (await new Mutex(h, path).participants()).map((entry) => entry.path);
    // Both nodes b watches get a data event: the holder's and its predecessor's.
    await h.setData(held.path, 'changed');
    await h.setData(aNode!, 'changed');
    await sleep(200);
    expect(order).toEqual([]);

    await held.release();
    const aLease: Lease = await aAcquired;
    await aLease.release();
    const bLease = await bAcquired;
    expect(order).toEqual(['a', 'b']);
    await bLease.release();
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

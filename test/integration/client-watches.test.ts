import diagnosticsChannel from 'node:diagnostics_channel';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ZooKeeper } from '../../src/index.js';
import type { WatchEvent, WatchMessage } from '../../src/index.js';
import { clientsClosedAfterEach, COUNTED_FRAMES, uniqueRoot } from './helpers.js';

// One-shot watches on a real server, under a chroot (so every event path is checked stripped).
//
// The changes that fire a watch are made by the watching client itself: the server then sends the
// notification before the reply to the change, so once the change resolved the event has arrived.
// `stats.framesReceived` counts every frame, notifications included, which lets a test see that no
// further notification came (no pings happen within these short tests: the session is 30 s; and
// no syncs: the client does not keep the session confirmed by the leader).

const open = clientsClosedAfterEach();
let zk: ZooKeeper;
let root: string;

beforeEach(async () => {
  root = uniqueRoot('watch');
  await (await open()).create(root);
  zk = await open(root, COUNTED_FRAMES);
});

/** Records every settlement of a watch promise (there must be exactly one) as it happens. */
function track(watch: Promise<WatchEvent>): WatchEvent[] {
  const seen: WatchEvent[] = [];
  void watch.then((event) => {
    seen.push(event);
  });
  return seen;
}

/** Lets pending promise reactions run. */
function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

describe('data watches', () => {
  it('getData watch fires nodeDataChanged once; the next change needs a new watch', async () => {
    await zk.create('/n', 'v0');
    const first = await zk.getData('/n', { watch: true });
    expect(first.data.toString()).toBe('v0');
    const firstSeen = track(first.watch);
    await settle();
    expect(firstSeen).toEqual([]);

    await zk.setData('/n', 'v1');
    await settle();
    expect(firstSeen).toMatchObject([{ type: 'nodeDataChanged', path: '/n' }]);

    // No watch left on the server: a second change sends only its reply.
    const before = zk.stats.framesReceived;
    await zk.setData('/n', 'v2');
    expect(zk.stats.framesReceived - before).toBe(1);

    const second = await zk.getData('/n', { watch: true });
    expect(second.data.toString()).toBe('v2');
    const secondSeen = track(second.watch);
    await zk.sync('/n');
    await settle();
    expect(secondSeen).toEqual([]);

    await zk.setData('/n', 'v3');
    await expect(second.watch).resolves.toMatchObject({ type: 'nodeDataChanged', path: '/n' });
    await settle();
    expect(secondSeen).toHaveLength(1);
    expect(firstSeen).toMatchObject([{ type: 'nodeDataChanged', path: '/n' }]);
  });

  it('exists watch on a missing node fires nodeCreated', async () => {
    const { stat, watch } = await zk.exists('/later', { watch: true });
    expect(stat).toBeNull();
    const seen = track(watch);
    await zk.sync('/');
    await settle();
    expect(seen).toEqual([]);
    await zk.create('/later', 'x');
    await expect(watch).resolves.toMatchObject({ type: 'nodeCreated', path: '/later' });
  });

  it('exists watch on an existing node fires nodeDataChanged, then nodeDeleted on a new one', async () => {
    await zk.create('/n');
    const a = await zk.exists('/n', { watch: true });
    expect(a.stat?.version).toBe(0);
    await zk.setData('/n', 'x');
    await expect(a.watch).resolves.toMatchObject({ type: 'nodeDataChanged', path: '/n' });
    const b = await zk.exists('/n', { watch: true });
    await zk.delete('/n');
    await expect(b.watch).resolves.toMatchObject({ type: 'nodeDeleted', path: '/n' });
  });

  it('fires for a change made by another client', async () => {
    await zk.create('/n');
    const { watch } = await zk.getData('/n', { watch: true });
    const other = await open(root);
    await other.setData('/n', 'from elsewhere');
    await expect(watch).resolves.toMatchObject({ type: 'nodeDataChanged', path: '/n' });
  });

  it('a getData watch on a missing node is not left: the call rejects', async () => {
    await expect(zk.getData('/missing', { watch: true })).rejects.toMatchObject({
      code: 'NONODE',
    });
    const before = zk.stats.framesReceived;
    await zk.create('/missing');
    expect(zk.stats.framesReceived - before).toBe(1);
  });
});

describe('child watches', () => {
  it('fires nodeChildrenChanged on a child create, with the parent path', async () => {
    await zk.create('/p');
    const { children, watch } = await zk.getChildren('/p', { watch: true });
    expect(children).toEqual([]);
    const seen = track(watch);
    await zk.setData('/p', 'data changes do not count');
    await settle();
    expect(seen).toEqual([]);
    await zk.create('/p/c');
    await settle();
    expect(seen).toMatchObject([{ type: 'nodeChildrenChanged', path: '/p' }]);
  });

  it('fires nodeChildrenChanged on a child delete, not on a grandchild or child data change', async () => {
    await zk.create('/p');
    await zk.create('/p/c');
    const { watch } = await zk.getChildren('/p', { watch: true });
    const seen = track(watch);
    await zk.setData('/p/c', 'x');
    await zk.create('/p/c/grandchild');
    await settle();
    expect(seen).toEqual([]);
    await zk.delete('/p/c/grandchild');
    await zk.delete('/p/c');
    await settle();
    expect(seen).toMatchObject([{ type: 'nodeChildrenChanged', path: '/p' }]);
  });

  it('a watch on "/" (the chroot) reports the path "/"', async () => {
    const { watch } = await zk.getChildren('/', { watch: true });
    await zk.create('/top');
    await expect(watch).resolves.toMatchObject({ type: 'nodeChildrenChanged', path: '/' });
    const data = await zk.getData('/', { watch: true });
    await zk.setData('/', 'root data');
    await expect(data.watch).resolves.toMatchObject({ type: 'nodeDataChanged', path: '/' });
  });
});

describe('deletes and fan-out', () => {
  it('a delete fires nodeDeleted for both the data and the child watch, from one event', async () => {
    await zk.create('/n');
    const data = await zk.getData('/n', { watch: true });
    const child = await zk.getChildren('/n', { watch: true });
    const before = zk.stats.framesReceived;
    await zk.delete('/n');
    // One notification (the server sends a single NodeDeleted) plus the delete's reply.
    expect(zk.stats.framesReceived - before).toBe(2);
    await expect(data.watch).resolves.toMatchObject({ type: 'nodeDeleted', path: '/n' });
    await expect(child.watch).resolves.toMatchObject({ type: 'nodeDeleted', path: '/n' });
  });

  it('two watchers on one node both fire from one server event', async () => {
    await zk.create('/n');
    const a = await zk.getData('/n', { watch: true });
    const b = await zk.getData('/n', { watch: true });
    const c = await zk.exists('/n', { watch: true });
    const seen = [track(a.watch), track(b.watch), track(c.watch)];
    const before = zk.stats.framesReceived;
    await zk.setData('/n', 'x');
    expect(zk.stats.framesReceived - before).toBe(2);
    await settle();
    for (const events of seen)
      expect(events).toMatchObject([{ type: 'nodeDataChanged', path: '/n' }]);
  });

  it('a parent child watch and a child data watch both fire when the child is deleted', async () => {
    await zk.create('/p');
    await zk.create('/p/c');
    const parent = await zk.getChildren('/p', { watch: true });
    const child = await zk.getData('/p/c', { watch: true });
    await zk.delete('/p/c');
    await expect(parent.watch).resolves.toMatchObject({ type: 'nodeChildrenChanged', path: '/p' });
    await expect(child.watch).resolves.toMatchObject({ type: 'nodeDeleted', path: '/p/c' });
  });
});

describe('close', () => {
  it('settles every pending watch with watchLost / closed, path stripped', async () => {
    await zk.create('/n');
    const data = await zk.getData('/n', { watch: true });
    const child = await zk.getChildren('/n', { watch: true });
    const missing = await zk.exists('/missing', { watch: true });
    const seen = track(data.watch);
    await zk.close();
    await expect(data.watch).resolves.toEqual({ type: 'watchLost', path: '/n', reason: 'closed' });
    await expect(child.watch).resolves.toEqual({
      type: 'watchLost',
      path: '/n',
      reason: 'closed',
    });
    await expect(missing.watch).resolves.toEqual({
      type: 'watchLost',
      path: '/missing',
      reason: 'closed',
    });
    await settle();
    expect(seen).toHaveLength(1);
  });

  it('an already fired watch is not settled again by close', async () => {
    await zk.create('/n');
    const { watch } = await zk.getData('/n', { watch: true });
    await zk.setData('/n', 'x');
    await zk.close();
    await expect(watch).resolves.toMatchObject({ type: 'nodeDataChanged', path: '/n' });
  });
});

describe('a signal', () => {
  /** The listeners each notification reached, from the client's `zkcoord:watch` channel. */
  function reached(): number[] {
    const counts: number[] = [];
    const onMessage = (message: unknown): void => {
      counts.push((message as WatchMessage).listeners);
    };
    diagnosticsChannel.subscribe('zkcoord:watch', onMessage);
    afterEach(() => diagnosticsChannel.unsubscribe('zkcoord:watch', onMessage));
    return counts;
  }

  it('settles the watch with watchLost / aborted, and the event then reaches nobody of it', async () => {
    const counts = reached();
    await zk.create('/n');
    const controller = new AbortController();
    const aborted = await zk.getData('/n', { watch: true, signal: controller.signal });
    const kept = await zk.getData('/n', { watch: true });
    const seen = track(aborted.watch);
    controller.abort();
    await expect(aborted.watch).resolves.toEqual({
      type: 'watchLost',
      path: '/n',
      reason: 'aborted',
    });
    await zk.setData('/n', 'x');
    await expect(kept.watch).resolves.toMatchObject({ type: 'nodeDataChanged', path: '/n' });
    // The server still sent its one notification for the path; only the kept watch heard it.
    expect(counts).toEqual([1]);
    await settle();
    expect(seen).toHaveLength(1);
  });

  it('aborted before the reply: the watch is never kept; after the event: nothing changes', async () => {
    const counts = reached();
    await zk.create('/n');
    const { watch } = await zk.exists('/n', { watch: true, signal: AbortSignal.abort() });
    await expect(watch).resolves.toMatchObject({ type: 'watchLost', reason: 'aborted' });
    const controller = new AbortController();
    const fired = await zk.getChildren('/n', { watch: true, signal: controller.signal });
    await zk.create('/n/c');
    controller.abort();
    await expect(fired.watch).resolves.toMatchObject({ type: 'nodeChildrenChanged', path: '/n' });
    await zk.setData('/n', 'x');
    // The exists watch went to the server too, but nobody in the client waits for it any more.
    expect(counts).toEqual([1, 0]);
  });
});

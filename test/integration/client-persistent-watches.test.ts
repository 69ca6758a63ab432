import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  ConnectionLossError,
  MarshallingError,
  NoWatcherError,
  ZooKeeper,
} from '../../src/index.js';
import type { PersistentWatchEvent, PersistentWatcher, ZooKeeperOptions } from '../../src/index.js';
import { serverVersion, versionAtLeast } from '../../src/testing/server-version.js';
import { rejectionOf } from '../support/poll.js';
import {
  connectString,
  COUNTED_FRAMES,
  overflow,
  OVERFLOW_OPTIONS,
  uniqueRoot,
} from './helpers.js';

// Persistent and persistent-recursive watches (addWatch), their removal and re-registration, on a
// real server under a chroot, so every event path is checked stripped.
//
// The changes are made by the watching client itself: the server sends the notification before
// the reply to the change, so once the change resolved the event has been delivered.

const clients: ZooKeeper[] = [];
let admin: ZooKeeper;
let zk: ZooKeeper;
let root: string;
let is39: boolean;

async function open(chroot: string, options: ZooKeeperOptions = {}): Promise<ZooKeeper> {
  const client = await ZooKeeper.connect(`${connectString()}${chroot}`, options);
  clients.push(client);
  return client;
}

beforeEach(async () => {
  root = uniqueRoot('pwatch');
  admin = await open('');
  await admin.create(root);
  zk = await open(root, { ...OVERFLOW_OPTIONS, ...COUNTED_FRAMES });
  is39 = versionAtLeast(await serverVersion(connectString()), [3, 9, 0]);
});

afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.close()));
});

/** Everything the watcher yields, as it yields it, until it ends. */
function collect(watcher: PersistentWatcher): {
  events: PersistentWatchEvent[];
  ended: Promise<void>;
} {
  const events: PersistentWatchEvent[] = [];
  const ended = (async () => {
    for await (const event of watcher) events.push(event);
  })();
  return { events, ended };
}

/** Type and path only: servers 3.9+ add the zxid. */
function shape(events: readonly PersistentWatchEvent[]): string[] {
  return events.map((event) => `${event.type} ${event.path}`);
}

function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

describe('persistent watches', () => {
  it('report every change of the node and of its child list, and stay', async () => {
    const watcher = await zk.addWatch('/n');
    const { events } = collect(watcher);
    await zk.create('/n', 'a');
    await zk.setData('/n', 'b');
    await zk.setData('/n', 'c');
    await zk.create('/n/c');
    await zk.create('/n/c/deeper');
    await zk.delete('/n/c/deeper');
    await zk.delete('/n/c');
    await zk.delete('/n');
    await zk.create('/n');
    await settle();
    expect(shape(events)).toEqual([
      'nodeCreated /n',
      'nodeDataChanged /n',
      'nodeDataChanged /n',
      'nodeChildrenChanged /n',
      'nodeChildrenChanged /n',
      'nodeDeleted /n',
      'nodeCreated /n',
    ]);
    expect(watcher.path).toBe('/n');
    expect(watcher.mode).toBe('persistent');
    await watcher.close();
  });

  it('recursive ones report the whole subtree, chroot stripped, never child-list changes', async () => {
    const watcher = await zk.addWatch('/p', { mode: 'persistent-recursive' });
    const { events } = collect(watcher);
    await zk.create('/p');
    await zk.create('/p/a');
    await zk.create('/p/a/b', 'x');
    await zk.setData('/p/a/b', 'y');
    await zk.create('/pq'); // a sibling sharing the prefix: not in the subtree
    await zk.delete('/p/a/b');
    await settle();
    expect(shape(events)).toEqual([
      'nodeCreated /p',
      'nodeCreated /p/a',
      'nodeCreated /p/a/b',
      'nodeDataChanged /p/a/b',
      'nodeDeleted /p/a/b',
    ]);
    await watcher.close();
  });

  it("a recursive watch on the chroot's root sees the chroot only", async () => {
    const watcher = await zk.addWatch('/', { mode: 'persistent-recursive' });
    const { events } = collect(watcher);
    await admin.create(`${root}-outside`);
    await admin.create(`${root}/inside`);
    await admin.setData(root, 'root data');
    await admin.delete(`${root}-outside`);
    // The admin's changes reach us by another connection: a round trip of our own orders them.
    await zk.sync('/');
    await zk.exists('/');
    await settle();
    expect(shape(events)).toEqual(['nodeCreated /inside', 'nodeDataChanged /']);
    await watcher.close();
  });

  it('close() removes the server-side watch; nothing more is delivered', async () => {
    const watcher = await zk.addWatch('/n');
    const { events, ended } = collect(watcher);
    expect(await zk.checkWatches('/n', 'any')).toBe(true);
    await watcher.close();
    await ended;
    expect(await zk.checkWatches('/n', 'any')).toBe(false);
    const framesBefore = zk.stats.framesReceived;
    await zk.create('/n');
    // Only the create's reply came back: no notification for a removed watch.
    expect(zk.stats.framesReceived - framesBefore).toBe(1);
    expect(events).toEqual([]);
    await watcher.close(); // idempotent
  });

  it('two watchers on one path: closing one keeps the other', async () => {
    const first = await zk.addWatch('/n');
    const second = await zk.addWatch('/n');
    const a = collect(first);
    const b = collect(second);
    await zk.create('/n');
    await first.close();
    await zk.setData('/n', 'x');
    await settle();
    expect(shape(a.events)).toEqual(['nodeCreated /n']);
    expect(shape(b.events)).toEqual(['nodeCreated /n', 'nodeDataChanged /n']);
    expect(await zk.checkWatches('/n', 'any')).toBe(true);
    await second.close();
  });

  it('an aborted signal closes the watcher', async () => {
    const controller = new AbortController();
    const watcher = await zk.addWatch('/n', { signal: controller.signal });
    const { ended } = collect(watcher);
    controller.abort();
    await ended;
    expect(watcher.closed).toBe(true);
  });

  it('a signal aborted before the reply leaves no watch on the server', async () => {
    const controller = new AbortController();
    const adding = zk.addWatch('/n', { signal: controller.signal });
    controller.abort();
    const watcher = await adding;
    expect(watcher.closed).toBe(true);
    expect(await zk.checkWatches('/n', 'any')).toBe(false);
  });

  it('every pending next() settles when the watcher closes', async () => {
    const watcher = await zk.addWatch('/n');
    const iterator = watcher[Symbol.asyncIterator]();
    const first = iterator.next();
    const second = iterator.next();
    await zk.create('/n');
    await watcher.close();
    const results = await Promise.all([first, second]);
    expect(results.map((result) => result.done)).toEqual([false, true]);
  });

  it('close() of the client ends watchers with watchLost', async () => {
    const watcher = await zk.addWatch('/n', { mode: 'persistent-recursive' });
    const { events, ended } = collect(watcher);
    await zk.close();
    await ended;
    expect(events).toEqual([{ type: 'watchLost', path: '/n', reason: 'closed' }]);
  });

  it('are registered again after a reconnect, reported as watchResumed', async () => {
    const node = await zk.addWatch('/n');
    const tree = await zk.addWatch('/t', { mode: 'persistent-recursive' });
    const n = collect(node);
    const t = collect(tree);
    await zk.create('/t');
    expect(await overflow(zk, root)).toBeInstanceOf(ConnectionLossError);
    // Made while we are away: not replayed, hence the resumed event telling us to re-read.
    await admin.create(`${root}/n`);
    await zk.create('/t/child'); // queued until the reconnect, sent after the re-registration
    await zk.setData('/n', 'after');
    await settle();
    expect(shape(n.events)).toEqual(['watchResumed /n', 'nodeDataChanged /n']);
    expect(shape(t.events)).toEqual(['nodeCreated /t', 'watchResumed /t', 'nodeCreated /t/child']);
    await node.close();
    await tree.close();
  });
});

describe('removeWatches and checkWatches', () => {
  it('removeWatches(any) ends persistent watchers and one-shot watches on the path', async () => {
    await zk.create('/n');
    const watcher = await zk.addWatch('/n');
    const { events, ended } = collect(watcher);
    const other = await open(root);
    const oneShot = await other.getData('/n', { watch: true });
    await other.removeWatches('/n', 'any');
    await expect(oneShot.watch).resolves.toEqual({
      type: 'watchLost',
      path: '/n',
      reason: 'removed',
    });
    // Only the other client's watches went: ours still works.
    await zk.setData('/n', 'x');
    await settle();
    expect(shape(events)).toEqual(['nodeDataChanged /n']);
    await zk.removeWatches('/n');
    await ended;
    expect(events.at(-1)).toEqual({ type: 'watchLost', path: '/n', reason: 'removed' });
  });

  it('removeWatches(children) leaves data watches; NoWatcherError when none is left', async () => {
    await zk.create('/n');
    const data = await zk.getData('/n', { watch: true });
    const child = await zk.getChildren('/n', { watch: true });
    expect(await zk.checkWatches('/n', 'children')).toBe(true);
    await zk.removeWatches('/n', 'children');
    await expect(child.watch).resolves.toMatchObject({ type: 'watchLost', reason: 'removed' });
    expect(await zk.checkWatches('/n', 'children')).toBe(false);
    expect(await zk.checkWatches('/n', 'data')).toBe(true);
    expect(await rejectionOf(zk.removeWatches('/n', 'children'))).toBeInstanceOf(NoWatcherError);
    await zk.setData('/n', 'x');
    await expect(data.watch).resolves.toMatchObject({ type: 'nodeDataChanged', path: '/n' });
  });

  it("answers for this session on 3.9+, for any session's watch on the path before", async () => {
    await zk.create('/n');
    const other = await open(root);
    await other.getData('/n', { watch: true });
    expect(await zk.checkWatches('/n')).toBe(!is39);
    // Removal is per session on both: ours has nothing to remove, the other's watch stays.
    expect(await rejectionOf(zk.removeWatches('/n'))).toBeInstanceOf(NoWatcherError);
    expect(await other.checkWatches('/n')).toBe(true);
  });

  it('refuses an unknown watcher type before sending anything', async () => {
    const sent = zk.stats.framesSent;
    await expect(zk.checkWatches('/n', 'bogus' as 'any')).rejects.toThrow(/watcher type/);
    expect(zk.stats.framesSent).toBe(sent);
  });

  it('removes by the persistent types on 3.9+ only', async () => {
    const watcher = await zk.addWatch('/n', { mode: 'persistent-recursive' });
    if (is39) {
      expect(await zk.checkWatches('/n', 'persistent-recursive')).toBe(true);
      expect(await zk.checkWatches('/n', 'persistent')).toBe(false);
    } else {
      expect(await rejectionOf(zk.checkWatches('/n', 'persistent-recursive'))).toBeInstanceOf(
        MarshallingError,
      );
    }
    await watcher.close();
  });
});

describe('on servers 3.9+', () => {
  it('events carry the zxid of the change', async ({ skip }) => {
    if (!is39) skip('notifications carry zxid -1 before 3.9');
    const watcher = await zk.addWatch('/n');
    const { events } = collect(watcher);
    const { stat } = await zk.create('/n');
    await settle();
    expect(events).toEqual([{ type: 'nodeCreated', path: '/n', zxid: stat.czxid }]);
    await watcher.close();
  });

  it("persistentWatchRemoval 'exact' keeps a one-shot watch on the same path", async ({ skip }) => {
    if (!is39) skip('WatcherType Persistent needs 3.9');
    const exact = await open(root, { persistentWatchRemoval: 'exact' });
    await exact.create('/n');
    const watcher = await exact.addWatch('/n');
    const oneShot = await exact.getData('/n', { watch: true });
    await watcher.close();
    expect(await exact.checkWatches('/n', 'persistent')).toBe(false);
    await exact.setData('/n', 'x');
    await expect(oneShot.watch).resolves.toMatchObject({ type: 'nodeDataChanged', path: '/n' });
  });
});

import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { WatchEvent } from '../../src/index.js';
import { until, within } from '../support/poll.js';
import { faultFixture } from './fixture.js';
import { track } from './session-helpers.js';

// Watches across a reconnect: the client re-registers them with SetWatches (opcode 101) before
// anything else, and the server reports what changed meanwhile. The client goes through a
// FaultProxy (to cut it off and to count what crosses the wire); the fixture's observer talks to
// the server directly and makes the changes.

const SET_WATCHES = 101;
/** The most path characters one SetWatches carries (the Java client's SET_WATCHES_MAX_LENGTH). */
const SET_WATCHES_MAX_CHARS = 128 * 1024;
const BATCH = 1000;

const fixture = faultFixture({
  // 20 000 writes: fsync on each would dominate the file's run time and prove nothing here.
  server: { config: { forceSync: 'no' } },
  observer: 'test',
  proxy: 'test',
  clientOptions: { sessionTimeout: 20_000 },
});

/** Runs `op` for every index, `BATCH` requests in flight at a time (pipelined). */
async function inBatches<T>(count: number, op: (i: number) => Promise<T>): Promise<T[]> {
  const results: T[] = [];
  for (let start = 0; start < count; start += BATCH) {
    const batch = Array.from({ length: Math.min(BATCH, count - start) }, (_, k) => op(start + k));
    results.push(...(await Promise.all(batch)));
  }
  return results;
}

describe('10 000 watches across a reconnect', () => {
  it('re-registers them all in several SetWatches batches; every one fires once', async () => {
    const count = 10_000;
    const base = '/watch-reregistration-test';
    const pathOf = (i: number): string => `${base}/node-${String(i).padStart(5, '0')}`;
    await fixture.observer.create(base);
    await inBatches(count, (i) => fixture.observer.create(pathOf(i), 'v0'));

    const { zk, log } = await fixture.open('proxy');
    // Kept in their result objects: an async callback returning the bare watch promise would
    // wait for the watch to fire.
    const results = await inBatches(count, (i) => zk.getData(pathOf(i), { watch: true }));
    const watches = results.map((result) => result.watch);
    const settled: WatchEvent[] = [];
    for (const watch of watches) void watch.then((event) => settled.push(event));
    const sessionId = zk.sessionId;

    fixture.proxy.resetCounts();
    fixture.proxy.reset();
    await log.waitFor('reconnected');
    expect(zk.sessionId).toBe(sessionId);
    const totalChars = count * pathOf(0).length;
    const expectedBatches = Math.ceil(totalChars / SET_WATCHES_MAX_CHARS);
    expect(expectedBatches).toBeGreaterThan(1);
    const setWatches = (): number =>
      fixture.proxy.counts().clientToServer.byOpcode[SET_WATCHES] ?? 0;
    // The batches leave with `reconnected` and cross the proxy just after it.
    await until('the SetWatches batches to cross the proxy', () => setWatches() > 0);
    // The server holds every watch again (the observer sets none).
    await until('the server to hold 10 000 watches', async () =>
      (await fixture.server.fourLetterWord('wchs')).includes(`Total watches:${count}`),
    );
    expect(setWatches()).toBe(expectedBatches);
    // Re-registering fired nothing: no change was made meanwhile.
    expect(settled).toEqual([]);

    fixture.proxy.resetCounts();
    await inBatches(count, (i) => fixture.observer.setData(pathOf(i), 'v1'));
    const events = await within('10 000 watch events', Promise.all(watches));
    events.forEach((event, i) => {
      expect(event).toEqual({ type: 'nodeDataChanged', path: pathOf(i) });
    });
    await zk.sync('/');
    expect(fixture.proxy.counts().serverToClient.notifications).toBe(count);
    expect(log.states).toEqual(['suspended', 'reconnected']);
  });
});

describe('a chroot across a reconnect', () => {
  it('strips the chroot from every event path and every created name', async () => {
    const root = `/chroot-${randomBytes(5).toString('hex')}`;
    await fixture.observer.create(root);
    const { zk, log } = await fixture.open('proxy', {}, root);
    for (const path of ['/d', '/gone', '/gone-kids', '/parent', '/d2', '/gone2', '/parent2']) {
      await zk.create(path, 'v0');
    }
    // Changed while the client is cut off: reported through the re-registered watches.
    const away = {
      data: track((await zk.getData('/d', { watch: true })).watch),
      created: track((await zk.exists('/born', { watch: true })).watch),
      children: track((await zk.getChildren('/parent', { watch: true })).watch),
      deleted: track((await zk.exists('/gone', { watch: true })).watch),
      childOfDeleted: track((await zk.getChildren('/gone-kids', { watch: true })).watch),
      top: track((await zk.getChildren('/', { watch: true })).watch),
    };
    // Changed after the reconnect: reported as the changes happen.
    const after = {
      data: track((await zk.getData('/d2', { watch: true })).watch),
      created: track((await zk.exists('/born2', { watch: true })).watch),
      children: track((await zk.getChildren('/parent2', { watch: true })).watch),
      deleted: track((await zk.getData('/gone2', { watch: true })).watch),
    };

    fixture.proxy.blackhole();
    await fixture.observer.setData(`${root}/d`, 'v1');
    await fixture.observer.create(`${root}/born`);
    await fixture.observer.create(`${root}/parent/c`);
    await fixture.observer.delete(`${root}/gone`);
    await fixture.observer.delete(`${root}/gone-kids`);
    // Sequential creates made while suspended, sent on the resumed session.
    let queued: Promise<string[]> | undefined;
    zk.on('state', (state) => {
      if (state !== 'suspended') return;
      queued ??= Promise.all([
        zk.create('/q-', 'x', { mode: 'persistent-sequential' }),
        zk.create('/', 'x', { mode: 'persistent-sequential' }),
      ]).then((results) => results.map((r) => r.path));
    });
    // The notifications the server sent meanwhile are held by the proxy and dropped with the
    // connection: the client can only learn of these changes through SetWatches.
    fixture.proxy.reset();
    await log.waitFor('reconnected');

    expect(await within('data', away.data.promise)).toEqual({
      type: 'nodeDataChanged',
      path: '/d',
    });
    expect(await within('created', away.created.promise)).toEqual({
      type: 'nodeCreated',
      path: '/born',
    });
    expect(await within('children', away.children.promise)).toEqual({
      type: 'nodeChildrenChanged',
      path: '/parent',
    });
    expect(await within('deleted', away.deleted.promise)).toEqual({
      type: 'nodeDeleted',
      path: '/gone',
    });
    expect(await within('children of deleted', away.childOfDeleted.promise)).toEqual({
      type: 'nodeDeleted',
      path: '/gone-kids',
    });
    expect(await within('chroot children', away.top.promise)).toEqual({
      type: 'nodeChildrenChanged',
      path: '/',
    });
    expect(queued).toBeDefined();
    const [queuedSeq, rootSeq] = (await queued) ?? [];
    expect(queuedSeq).toMatch(/^\/q-\d{10}$/);
    expect(rootSeq).toMatch(/^\/\d{10}$/);

    await fixture.observer.setData(`${root}/d2`, 'v1');
    await fixture.observer.create(`${root}/born2`);
    await fixture.observer.create(`${root}/parent2/c`);
    await fixture.observer.delete(`${root}/gone2`);
    expect(await within('data', after.data.promise)).toEqual({
      type: 'nodeDataChanged',
      path: '/d2',
    });
    expect(await within('created', after.created.promise)).toEqual({
      type: 'nodeCreated',
      path: '/born2',
    });
    expect(await within('children', after.children.promise)).toEqual({
      type: 'nodeChildrenChanged',
      path: '/parent2',
    });
    expect(await within('deleted', after.deleted.promise)).toEqual({
      type: 'nodeDeleted',
      path: '/gone2',
    });

    const created = await zk.create('/e-', 'x', { mode: 'ephemeral-sequential' });
    expect(created.path).toMatch(/^\/e-\d{10}$/);
    const [inTxn] = await zk
      .transaction()
      .create('/t-', 'x', { mode: 'persistent-sequential' })
      .commit();
    expect(inTxn.path).toMatch(/^\/t-\d{10}$/);
    expect(log.states).toEqual(['suspended', 'reconnected']);
  });
});

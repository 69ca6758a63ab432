import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConnectionLossError, ZooKeeper } from '../../src/index.js';
import type { WatchEvent, ZooKeeperState } from '../../src/index.js';
import { rejectionOf } from '../support/poll.js';
import { connectString, overflow, OVERFLOW_OPTIONS, uniqueRoot } from './helpers.js';

// The session across a connection the server drops. To make the shared server drop exactly one
// connection, the client's request limit is lifted by one byte and a frame one byte over
// jute.maxbuffer is sent: the server closes that connection ("Len error"), nothing else.

const clients: ZooKeeper[] = [];
let admin: ZooKeeper;
let zk: ZooKeeper;
let root: string;
let states: ZooKeeperState[];

beforeEach(async () => {
  root = uniqueRoot('reconnect');
  admin = await ZooKeeper.connect(connectString());
  clients.push(admin);
  await admin.create(root);
  zk = await ZooKeeper.connect(`${connectString()}${root}`, OVERFLOW_OPTIONS);
  clients.push(zk);
  states = [];
  zk.on('state', (state) => states.push(state));
});

afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.close()));
});

function track(watch: Promise<WatchEvent>): WatchEvent[] {
  const seen: WatchEvent[] = [];
  void watch.then((event) => {
    seen.push(event);
  });
  return seen;
}

describe('a dropped connection', () => {
  it('close() while the client is reconnecting still ends the session at once', async () => {
    await zk.create('/lock', '', { mode: 'ephemeral' });
    expect(await overflow(zk, root)).toBeInstanceOf(ConnectionLossError);
    expect(zk.state).toBe('suspended');
    await zk.close();
    expect(zk.state).toBe('closed');
    // No waiting for expiry: the session (and the "lock") is gone when close() resolves.
    expect(await admin.exists(`${root}/lock`)).toBeNull();
  });

  it('fails in-flight requests with ConnectionLossError and resumes the same session', async () => {
    await zk.create('/eph', 'mine', { mode: 'ephemeral' });
    const sessionId = zk.sessionId;

    const dropped = overflow(zk, root);
    // Sent in the same write, behind the oversized frame: the server never reads it.
    const after = rejectionOf(zk.getData('/eph'));
    expect(await dropped).toBeInstanceOf(ConnectionLossError);
    expect(await after).toBeInstanceOf(ConnectionLossError);
    expect(await after).toMatchObject({ path: '/eph' });
    expect(await admin.exists(`${root}/overflow`)).toBeNull();

    // Issued while disconnected: queued and sent once the session is resumed.
    const queued = await zk.getData('/eph');
    expect(queued.data.toString()).toBe('mine');
    expect(states).toEqual(['suspended', 'reconnected']);
    expect(zk.state).toBe('reconnected');
    expect(zk.sessionId).toBe(sessionId);
    expect(queued.stat.ephemeralOwner).toBe(sessionId);
    expect((await admin.exists(`${root}/eph`))?.ephemeralOwner).toBe(sessionId);
  });

  it('keeps watches: they fire once for changes after the reconnect, not spuriously', async () => {
    await zk.create('/w', 'v0');
    const data = await zk.getData('/w', { watch: true });
    const children = await zk.getChildren('/w', { watch: true });
    const missing = await zk.exists('/later', { watch: true });
    const seen = [track(data.watch), track(children.watch), track(missing.watch)];

    expect(await overflow(zk, root)).toBeInstanceOf(ConnectionLossError);
    await zk.sync('/');
    expect(states).toEqual(['suspended', 'reconnected']);
    // Nothing changed while disconnected: re-registering must not fire anything.
    for (const events of seen) expect(events).toEqual([]);

    await admin.setData(`${root}/w`, 'v1');
    await admin.create(`${root}/w/child`);
    await admin.create(`${root}/later`);
    await expect(data.watch).resolves.toMatchObject({ type: 'nodeDataChanged', path: '/w' });
    await expect(children.watch).resolves.toMatchObject({
      type: 'nodeChildrenChanged',
      path: '/w',
    });
    await expect(missing.watch).resolves.toMatchObject({ type: 'nodeCreated', path: '/later' });
  });

  it('reports a change made around the drop, whichever side of it the change landed', async () => {
    await zk.create('/w', 'v0');
    const { watch } = await zk.getData('/w', { watch: true });
    const dropped = overflow(zk, root);
    const changed = admin.setData(`${root}/w`, 'v1');
    expect(await dropped).toBeInstanceOf(ConnectionLossError);
    await changed;
    await expect(watch).resolves.toMatchObject({ type: 'nodeDataChanged', path: '/w' });
  });

  it('close() after a reconnect ends the session and its ephemerals', async () => {
    await zk.create('/eph', '', { mode: 'ephemeral' });
    expect(await overflow(zk, root)).toBeInstanceOf(ConnectionLossError);
    await zk.sync('/');
    await zk.close();
    expect(states).toEqual(['suspended', 'reconnected', 'closed']);
    expect(await admin.exists(`${root}/eph`)).toBeNull();
  });
});

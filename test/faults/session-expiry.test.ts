import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ConnectionLossError, SessionExpiredError, ZooKeeper } from '../../src/index.js';
import type { ZooKeeperOptions } from '../../src/index.js';
import { expireSession, FaultProxy, ZooKeeperServer } from '../../src/testing/index.js';
import { rejectionOf, StateLog, track, within } from './session-helpers.js';

// The server ends the session while the client is connected (expireSession, a real expiry done
// at once): the client learns it on its next reconnect, reports `lost` with cause 'expired', and
// fails what was waiting. The client's own loss timer cannot be the first to notice here: its
// sessions are long (10 s) and the whole story takes well under one.
//
// The client goes through a FaultProxy so a request can be caught on the wire at the moment of
// the expiry; expireSession talks to the server directly, around the proxy.

const SESSION_TIMEOUT = 10_000;

let server: ZooKeeperServer;
let observer: ZooKeeper;
let proxy: FaultProxy;
let root: string;
const clients: ZooKeeper[] = [];

async function open(options: ZooKeeperOptions = {}): Promise<{ zk: ZooKeeper; log: StateLog }> {
  const zk = await ZooKeeper.connect(`${proxy.connectString}${root}`, {
    sessionTimeout: SESSION_TIMEOUT,
    ...options,
  });
  clients.push(zk);
  return { zk, log: new StateLog(zk) };
}

beforeAll(async () => {
  server = await ZooKeeperServer.start();
  observer = await ZooKeeper.connect(server.connectString);
});

afterAll(async () => {
  await observer.close();
  await server.stop();
});

beforeEach(async () => {
  root = `/expiry-${randomBytes(5).toString('hex')}`;
  await observer.create(root);
  proxy = await FaultProxy.start({ target: server.connectString });
});

afterEach(async () => {
  await Promise.all(clients.splice(0).map((zk) => zk.close()));
  await proxy.stop();
});

describe('a session expired by the server while the client is connected', () => {
  it('newSessionOnLoss: false: lost (expired), waiting requests fail, later calls too', async () => {
    const { zk, log } = await open({ newSessionOnLoss: false });
    await zk.create('/eph', 'mine', { mode: 'ephemeral' });
    await zk.create('/n', 'v0');
    const sessionId = zk.sessionId;
    const watch = track((await zk.getData('/n', { watch: true })).watch);
    const deleted = track((await observer.exists(`${root}/eph`, { watch: true })).watch);

    // A write caught on the wire: the proxy holds it while the server ends the session.
    proxy.blackhole();
    const onWire = rejectionOf(zk.setData('/n', 'from the expired session'));
    await expireSession(zk, { server: server.connectString });
    expect(await within('the ephemeral to go', deleted.promise)).toMatchObject({
      type: 'nodeDeleted',
    });
    // Made while suspended, before the reconnect that learns of the expiry (it first pauses).
    let queued: Promise<unknown> | undefined;
    zk.on('state', (state) => {
      if (state === 'suspended') queued ??= rejectionOf(zk.getData('/n'));
    });
    proxy.pass();
    const lost = await log.waitFor('lost', SESSION_TIMEOUT);

    expect(lost).toMatchObject({ cause: 'expired', sessionId, previous: 'suspended' });
    expect(log.states).toEqual(['suspended', 'lost']);
    // The connection dropped under the write: outcome unknown, as for any connection loss.
    expect(await onWire).toBeInstanceOf(ConnectionLossError);
    expect(queued).toBeDefined();
    expect(await queued).toBeInstanceOf(SessionExpiredError);
    expect(await watch.promise).toEqual({
      type: 'watchLost',
      path: '/n',
      reason: 'sessionExpired',
    });
    // The server never took the held write from the dead session.
    expect((await observer.getData(`${root}/n`)).data.toString()).toBe('v0');

    // Stays lost: every call fails at once, nothing is sent.
    proxy.resetCounts();
    expect(await rejectionOf(zk.getData('/n'))).toBeInstanceOf(SessionExpiredError);
    expect(await rejectionOf(zk.create('/x', 'y'))).toBeInstanceOf(SessionExpiredError);
    expect(await rejectionOf(zk.sync('/'))).toBeInstanceOf(SessionExpiredError);
    expect(proxy.counts().clientToServer.frames).toBe(0);
    expect(zk.state).toBe('lost');
    expect(zk.sessionId).toBe(0n);
    await zk.close();
    expect(log.states).toEqual(['suspended', 'lost', 'closed']);
  });

  it('by default: queued requests are not replayed on the new session; later ones go there', async () => {
    const { zk, log } = await open();
    const oldSession = zk.sessionId;
    const watch = track((await zk.exists('/anything', { watch: true })).watch);
    let queued: Promise<unknown> | undefined;
    let afterLost: Promise<unknown> | undefined;
    zk.on('state', (state) => {
      // Synchronously in the listener: before any reconnect or new session can be opened.
      if (state === 'suspended') queued ??= rejectionOf(zk.create('/queued', 'x'));
      if (state === 'lost') {
        afterLost ??= zk.create('/after-lost', 'x', { mode: 'ephemeral' });
      }
    });

    await expireSession(zk);
    const connected = await log.waitFor('connected', SESSION_TIMEOUT);

    expect(log.states).toEqual(['suspended', 'lost', 'connected']);
    expect(log.records[1]).toMatchObject({ cause: 'expired', sessionId: oldSession });
    expect(connected.sessionId).not.toBe(oldSession);
    expect(await queued).toBeInstanceOf(SessionExpiredError);
    expect(await watch.promise).toMatchObject({ type: 'watchLost', reason: 'sessionExpired' });
    expect(await afterLost).toMatchObject({ path: '/after-lost' });
    expect((await observer.exists(`${root}/after-lost`))?.ephemeralOwner).toBe(zk.sessionId);
    await zk.sync('/');
    expect(await observer.exists(`${root}/queued`)).toBeNull();
  });
});

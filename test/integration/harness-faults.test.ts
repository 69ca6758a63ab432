import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ConnectionLossError, SessionExpiredError, ZooKeeper } from '../../src/index.js';
import type { ZooKeeperOptions, ZooKeeperState } from '../../src/index.js';
import {
  expireSession,
  ExpireSessionError,
  FaultProxy,
  FaultProxyStoppedError,
  fourLetterWord,
  freePort,
  SessionNotFoundError,
} from '../../src/testing/index.js';
import { rejectionOf, until } from '../support/poll.js';
import { connectString, COUNTED_FRAMES, uniqueRoot } from './helpers.js';

// FaultProxy and expireSession in front of the shared server: neither touches the server itself,
// so no JVM of its own is needed. Every test works under its own chroot.

const CREATE2 = 15;
const clients: ZooKeeper[] = [];
let admin: ZooKeeper;
let root: string;
let proxy: FaultProxy;

async function open(
  where: string,
  options: ZooKeeperOptions = {},
): Promise<{ zk: ZooKeeper; states: ZooKeeperState[] }> {
  const zk = await ZooKeeper.connect(`${where}${root}`, options);
  clients.push(zk);
  const states: ZooKeeperState[] = [];
  zk.on('state', (state) => states.push(state));
  return { zk, states };
}

/** The shared server answers at once: 10 s is ample for any effect a test waits for. */
const SOON = { timeoutMs: 10_000 } as const;

function settledFlag(promise: Promise<unknown>): () => boolean {
  let settled = false;
  promise.then(
    () => (settled = true),
    () => (settled = true),
  );
  return () => settled;
}

beforeAll(async () => {
  admin = await ZooKeeper.connect(connectString());
});

afterAll(async () => {
  await admin.close();
});

beforeEach(async () => {
  root = uniqueRoot('faults');
  await admin.create(root);
  proxy = await FaultProxy.start({ target: connectString() });
});

afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.close()));
  await proxy.stop();
});

describe('FaultProxy', () => {
  it('passes traffic and counts frames by kind, across chunk boundaries', async () => {
    const { zk } = await open(proxy.connectString, COUNTED_FRAMES);
    await zk.create('/a', 'x');
    // Many frames per chunk: requests issued in one tick leave in one write.
    await Promise.all(Array.from({ length: 50 }, () => zk.getData('/a')));
    // One frame over many chunks.
    await zk.setData('/a', Buffer.alloc(300_000, 1));
    const counts = proxy.counts();
    expect(counts.clientToServer).toMatchObject({ connects: 1, requests: 52 });
    expect(counts.clientToServer.byOpcode).toMatchObject({ [CREATE2]: 1, 4: 50, 5: 1 });
    expect(counts.serverToClient).toMatchObject({ connects: 1, replies: 52, notifications: 0 });
    expect((await admin.getData(`${root}/a`)).data.length).toBe(300_000);

    proxy.resetCounts();
    expect(proxy.counts().clientToServer.frames).toBe(0);
    // Four-letter words pass too; they are not frames and are not counted.
    expect(await fourLetterWord(proxy.host, proxy.port, 'ruok')).toBe('imok');
    expect(proxy.counts().serverToClient.frames).toBe(0);
  });

  it('counts watch notifications on the wire', async () => {
    const { zk } = await open(proxy.connectString, COUNTED_FRAMES);
    await zk.create('/n', 'v1');
    const { watch } = await zk.getData('/n', { watch: true });
    proxy.resetCounts();
    await admin.setData(`${root}/n`, 'v2');
    expect(await watch).toMatchObject({ type: 'nodeDataChanged', path: '/n' });
    expect(proxy.counts().serverToClient.notifications).toBe(1);
    // A change nobody watches any more sends nothing.
    await admin.setData(`${root}/n`, 'v3');
    await zk.sync();
    expect(proxy.counts().serverToClient.notifications).toBe(1);
  });

  it('blackhole() holds a request until pass() releases it', async () => {
    const { zk, states } = await open(proxy.connectString, { sessionTimeout: 10_000 });
    await zk.create('/b', 'held');
    proxy.blackhole();
    const read = zk.getData('/b');
    const settled = settledFlag(read);
    // Well inside the 6.7 s read timeout: the request is simply unanswered.
    await sleep(300);
    expect(settled()).toBe(false);
    expect(zk.state).toBe('connected');
    proxy.pass();
    expect((await read).data.toString()).toBe('held');
    expect(states).toEqual([]);
  });

  it('a blackhole longer than the read timeout suspends the client', async () => {
    const { zk, states } = await open(proxy.connectString, { sessionTimeout: 3000 });
    proxy.blackhole();
    const read = rejectionOf(zk.getData('/'));
    await until('suspended', () => states.includes('suspended'), SOON);
    expect(await read).toBeInstanceOf(ConnectionLossError);
    proxy.pass();
  });

  it('reset() fails in-flight requests with ConnectionLossError; the session resumes', async () => {
    const { zk, states } = await open(proxy.connectString);
    await zk.create('/r', 'x');
    const sessionId = zk.sessionId;
    proxy.blackhole();
    const inFlight = rejectionOf(zk.getData('/r'));
    proxy.reset();
    expect(proxy.mode).toBe('pass');
    expect(await inFlight).toBeInstanceOf(ConnectionLossError);
    await until('reconnected', () => zk.state === 'reconnected', SOON);
    expect(zk.sessionId).toBe(sessionId);
    expect((await zk.getData('/r')).data.toString()).toBe('x');
    expect(states).toEqual(['suspended', 'reconnected']);
    expect(proxy.counts().clientToServer.connects).toBe(2);
  });

  it('delay() slows traffic but keeps it in order', async () => {
    const { zk } = await open(proxy.connectString);
    proxy.delay(200);
    const creates = Array.from({ length: 20 }, (_, i) =>
      zk.create('/d-', String(i), { mode: 'persistent-sequential' }),
    );
    const paths = (await Promise.all(creates)).map((result) => result.path);
    expect(paths).toEqual([...paths].sort());
    proxy.delay(50);
    const middle = zk.getData(paths[10]!);
    proxy.pass();
    expect((await middle).data.toString()).toBe('10');
    expect(() => {
      proxy.delay(-1);
    }).toThrow(RangeError);
  });

  it('dropReplyTo(create2) loses the reply of a create that did happen', async () => {
    const { zk } = await open(proxy.connectString);
    const sessionId = zk.sessionId;
    const dropped = proxy.dropReplyTo(CREATE2);
    const error = await rejectionOf(zk.create('/lost', 'x'));
    expect(error).toBeInstanceOf(ConnectionLossError);
    expect(await dropped).toMatchObject({ err: 0 });
    expect(await admin.exists(`${root}/lost`)).not.toBeNull();
    // The client reconnects; a retry of the create now finds the node.
    await expect(zk.create('/lost', 'x')).rejects.toMatchObject({ code: 'NODEEXISTS' });
    expect(zk.sessionId).toBe(sessionId);
  });

  it('resets connections at once when the target refuses them', async () => {
    await using dead = await FaultProxy.start({ target: `127.0.0.1:${await freePort()}` });
    const socket = connect({ host: dead.host, port: dead.port });
    const error = new Promise((resolve) => socket.once('error', resolve));
    await new Promise((resolve) => socket.once('close', resolve));
    expect(await error).toMatchObject({ code: 'ECONNRESET' });
    await until('the link to go', () => dead.connectionCount === 0, SOON);
  });

  it('rejects dropReplyTo() and mode changes after stop()', async () => {
    const pending = rejectionOf(proxy.dropReplyTo(CREATE2));
    await proxy.stop();
    expect(await pending).toBeInstanceOf(FaultProxyStoppedError);
    expect(await rejectionOf(proxy.dropReplyTo(1))).toBeInstanceOf(FaultProxyStoppedError);
    expect(() => {
      proxy.blackhole();
    }).toThrow(FaultProxyStoppedError);
  });
});

describe('expireSession', () => {
  it('expires the session on the server: ephemerals go, the client learns it is lost', async () => {
    const { zk, states } = await open(connectString(), { newSessionOnLoss: false });
    await zk.create('/eph', 'mine', { mode: 'ephemeral' });
    const { watch } = await admin.exists(`${root}/eph`, { watch: true });
    const expired = {
      sessionId: zk.sessionId,
      sessionPassword: zk.sessionPassword,
      sessionTimeout: zk.sessionTimeout,
      connectedServer: zk.connectedServer,
    };

    await expireSession(zk);
    expect(await watch).toMatchObject({ type: 'nodeDeleted' });
    expect(await admin.exists(`${root}/eph`)).toBeNull();
    await until('lost', () => zk.state === 'lost', SOON);
    expect(states).toEqual(['suspended', 'lost']);
    expect(await rejectionOf(zk.getData('/'))).toBeInstanceOf(SessionExpiredError);

    const again = await rejectionOf(expireSession(expired, { server: connectString() }));
    expect(again).toBeInstanceOf(SessionNotFoundError);
    expect(again).toMatchObject({ code: 'SESSION_NOT_FOUND' });
    // The lost client has no session and no server left to name.
    expect(await rejectionOf(expireSession(zk))).toBeInstanceOf(ExpireSessionError);
  });

  it('works through a FaultProxy; a client that renews sessions gets a new one', async () => {
    const { zk, states } = await open(proxy.connectString);
    const sessionId = zk.sessionId;
    await expireSession(zk);
    expect(proxy.counts().clientToServer.byOpcode[-11]).toBe(1);
    await until('a new session', () => zk.sessionId !== 0n && zk.sessionId !== sessionId, SOON);
    expect(states).toContain('lost');
  });
});

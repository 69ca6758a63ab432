import net from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  ClientClosedError,
  ConnectionLossError,
  InvalidArgumentError,
  OPEN_ACL_UNSAFE,
  ZooKeeper,
} from '../../src/index.js';
import type { ZooKeeperState } from '../../src/index.js';
import { rejectionOf } from '../support/poll.js';
import { connectString, COUNTED_FRAMES, uniqueRoot } from './helpers.js';

// Opening and closing sessions, and input refused before anything is sent.

const clients: ZooKeeper[] = [];
const servers: net.Server[] = [];
const peerSockets: net.Socket[] = [];
let admin: ZooKeeper;
let zk: ZooKeeper;
let root: string;

async function open(chroot = ''): Promise<ZooKeeper> {
  const client = await ZooKeeper.connect(`${connectString()}${chroot}`);
  clients.push(client);
  return client;
}

beforeEach(async () => {
  root = uniqueRoot('life');
  admin = await open();
  await admin.create(root);
  zk = await open(root);
});

afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.close()));
  for (const socket of peerSockets.splice(0)) socket.destroy();
  await Promise.all(
    servers.splice(0).map(
      (server) =>
        new Promise<void>((resolve) => {
          server.close(() => {
            resolve();
          });
        }),
    ),
  );
});

/** A TCP listener on 127.0.0.1 that accepts and calls `onSocket` (closed in afterEach). */
async function listen(onSocket: (socket: net.Socket) => void): Promise<number> {
  const server = net.createServer((socket) => {
    peerSockets.push(socket);
    onSocket(socket);
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as net.AddressInfo).port;
}

describe('close()', () => {
  it('emits the state "closed", and every request afterwards rejects with ClientClosedError', async () => {
    await zk.create('/n');
    const states: ZooKeeperState[] = [];
    zk.on('state', (state) => states.push(state));
    expect(zk.state).toBe('connected');
    await zk.close();
    expect(zk.state).toBe('closed');
    expect(states).toEqual(['closed']);

    const before = zk.stats;
    const calls: (() => Promise<unknown>)[] = [
      () => zk.create('/m'),
      () => zk.getData('/n'),
      () => zk.setData('/n', 'x'),
      () => zk.exists('/n'),
      () => zk.exists('/n', { watch: true }),
      () => zk.getChildren('/n'),
      () => zk.delete('/n'),
      () => zk.getACL('/n'),
      () => zk.setACL('/n', OPEN_ACL_UNSAFE),
      () => zk.sync('/n'),
      () => zk.transaction().create('/m').commit(),
    ];
    for (const call of calls) {
      const error = await rejectionOf(call());
      expect(error).toBeInstanceOf(ClientClosedError);
      expect(error).toMatchObject({ code: 'CLIENT_CLOSED' });
    }
    expect(zk.stats.framesSent).toBe(before.framesSent);
    expect(await admin.exists(`${root}/n`)).not.toBeNull();
  });

  it('our ephemerals are gone for other clients as soon as close() resolves', async () => {
    await zk.create('/e1', '', { mode: 'ephemeral' });
    await zk.create('/lock-', '', { mode: 'ephemeral-sequential' });
    await zk.create('/kept', 'persistent');
    const observer = await open(root);
    const watched = await observer.exists('/e1', { watch: true });
    expect(watched.stat).not.toBeNull();

    await zk.close();

    expect(await observer.exists('/e1')).toBeNull();
    expect((await observer.getChildren('/')).children).toEqual(['kept']);
    await expect(watched.watch).resolves.toMatchObject({ type: 'nodeDeleted', path: '/e1' });
  });

  it('can be called twice, or twice at once', async () => {
    const states: ZooKeeperState[] = [];
    zk.on('state', (state) => states.push(state));
    await Promise.all([zk.close(), zk.close()]);
    await expect(zk.close()).resolves.toBeUndefined();
    expect(zk.state).toBe('closed');
    expect(states).toEqual(['closed']);
  });

  it('lets requests issued before it complete', async () => {
    await zk.create('/n', 'data');
    const read = zk.getData('/n');
    const write = zk.create('/m', 'more');
    const closing = zk.close();
    const late = rejectionOf(zk.getData('/n'));
    expect((await read).data.toString()).toBe('data');
    expect((await write).path).toBe('/m');
    expect(await late).toBeInstanceOf(ClientClosedError);
    await closing;
    expect(await admin.exists(`${root}/m`)).not.toBeNull();
  });

  it('a new session after close gets a new id', async () => {
    const first = zk.sessionId;
    await zk.close();
    const again = await open(root);
    expect(again.sessionId).not.toBe(first);
    expect(again.state).toBe('connected');
  });

  it('Symbol.asyncDispose closes the client', async () => {
    await zk.create('/e', '', { mode: 'ephemeral' });
    await zk[Symbol.asyncDispose]();
    expect(zk.state).toBe('closed');
    expect(await admin.exists(`${root}/e`)).toBeNull();
  });
});

describe('an idle session', () => {
  it('with the shortest timeout stays connected, kept alive by pings', async () => {
    const short = await ZooKeeper.connect(`${connectString()}${root}`, {
      sessionTimeout: 1000,
      ...COUNTED_FRAMES,
    });
    clients.push(short);
    expect(short.sessionTimeout).toBe(1000);
    const states: ZooKeeperState[] = [];
    short.on('state', (state) => states.push(state));
    await short.create('/alive', '', { mode: 'ephemeral' });
    const before = short.stats;
    // Idle for 2.5 session timeouts: without pings the server would expire the session, and
    // without replies to them the client would declare the connection dead.
    await new Promise((resolve) => setTimeout(resolve, 2500));
    expect(states).toEqual([]);
    // Only pings went out while idle (frame counts include them), and each was answered (but
    // perhaps the last, whose reply may be on its way).
    const sent = short.stats.framesSent - before.framesSent;
    const received = short.stats.framesReceived - before.framesReceived;
    expect(sent).toBeGreaterThan(0);
    expect(received).toBeLessThanOrEqual(sent);
    expect(received).toBeGreaterThanOrEqual(sent - 1);
    expect((await admin.exists(`${root}/alive`))?.ephemeralOwner).toBe(short.sessionId);
  });
});

describe('connect()', () => {
  it('negotiates the session timeout with the server', async () => {
    const asked = await ZooKeeper.connect(`${connectString()}${root}`, { sessionTimeout: 4000 });
    clients.push(asked);
    expect(asked.sessionTimeout).toBe(4000);
    // connectTimeout defaults to the session timeout asked for: 10 ms would test the machine.
    const tiny = await ZooKeeper.connect(`${connectString()}${root}`, {
      sessionTimeout: 10,
      connectTimeout: 5000,
    });
    clients.push(tiny);
    // The server raises it to its minimum (2 × tickTime or more).
    expect(tiny.sessionTimeout).toBeGreaterThanOrEqual(1000);
  });

  it('rejects with ConnectionLossError when nothing listens on the port', async () => {
    const port = await listen(() => undefined);
    const server = servers.pop()!;
    await new Promise((resolve) => server.close(resolve));
    const error = await rejectionOf(
      ZooKeeper.connect(`127.0.0.1:${port}`, { connectTimeout: 1500 }),
    );
    expect(error).toBeInstanceOf(ConnectionLossError);
    expect(error).toMatchObject({ code: 'CONNECTIONLOSS' });
  });

  it('rejects with ConnectionLossError when the peer never answers the handshake', async () => {
    // Reads (and ignores) the ConnectRequest, answers nothing.
    const port = await listen((socket) => socket.resume());
    const error = await rejectionOf(
      ZooKeeper.connect(`127.0.0.1:${port}`, { connectTimeout: 1500 }),
    );
    expect(error).toBeInstanceOf(ConnectionLossError);
  });

  it('skips a host that hangs up and connects to the live one', async () => {
    const port = await listen((socket) => socket.destroy());
    for (let i = 0; i < 3; i++) {
      // The host order is shuffled: repeat so the bad host comes first at least sometimes.
      const client = await ZooKeeper.connect(`127.0.0.1:${port},${connectString()}${root}`, {
        connectTimeout: 10_000,
      });
      clients.push(client);
      expect((await client.create(`/via-${i}`)).path).toBe(`/via-${i}`);
    }
    expect((await zk.getChildren('/')).children.sort()).toEqual(['via-0', 'via-1', 'via-2']);
  });

  it('rejects with ConnectionLossError when the peer hangs up at once', async () => {
    const port = await listen((socket) => socket.destroy());
    const error = await rejectionOf(
      ZooKeeper.connect(`127.0.0.1:${port}`, { connectTimeout: 1500 }),
    );
    expect(error).toBeInstanceOf(ConnectionLossError);
  });

  it.each([
    [''],
    ['   '],
    ['127.0.0.1:0'],
    ['127.0.0.1:65536'],
    ['127.0.0.1:port'],
    [':2181'],
    ['[::1'],
    ['127.0.0.1:2181/bad/'],
    ['127.0.0.1:2181/a//b'],
  ])('rejects the connect string %j with InvalidArgumentError', async (text) => {
    const error = await rejectionOf(ZooKeeper.connect(text, { connectTimeout: 1500 }));
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect(error).toMatchObject({ code: 'INVALID_ARGUMENT' });
  });

  it.each([
    [{ sessionTimeout: 0 }],
    [{ sessionTimeout: -1 }],
    [{ connectTimeout: Number.NaN }],
    [{ requestTimeout: -5 }],
    [{ maxRequestSize: 0 }],
  ])('rejects the options %j with InvalidArgumentError', async (options) => {
    const error = await rejectionOf(ZooKeeper.connect(connectString(), options));
    expect(error).toBeInstanceOf(InvalidArgumentError);
  });
});

describe('path validation (nothing sent)', () => {
  const badPaths = [
    'a',
    '',
    '/a/',
    '/a//b',
    '/a/./b',
    '/a/../b',
    '/.',
    '/a/..',
    '/a\u0000',
    '/a\u0001b',
  ];
  const operations: [string, (path: string) => Promise<unknown>][] = [
    ['create', (p) => zk.create(p)],
    ['getData', (p) => zk.getData(p)],
    ['setData', (p) => zk.setData(p, 'x')],
    ['delete', (p) => zk.delete(p)],
    ['exists', (p) => zk.exists(p, { watch: true })],
    ['getChildren', (p) => zk.getChildren(p)],
    ['getACL', (p) => zk.getACL(p)],
    ['setACL', (p) => zk.setACL(p, OPEN_ACL_UNSAFE)],
    ['sync', (p) => zk.sync(p)],
  ];

  it.each(operations)('%s refuses invalid paths with InvalidArgumentError', async (_name, run) => {
    const before = zk.stats;
    for (const path of badPaths) {
      const error = await rejectionOf(run(path));
      expect(error, JSON.stringify(path)).toBeInstanceOf(InvalidArgumentError);
    }
    expect(zk.stats.framesSent).toBe(before.framesSent);
    expect(zk.stats.socketWrites).toBe(before.socketWrites);
  });

  it('accepts names that only look relative', async () => {
    for (const path of ['/.a', '/a.', '/..b', '/...']) {
      expect((await zk.create(path)).path).toBe(path);
    }
    expect((await zk.getChildren('/')).children.sort()).toEqual(['...', '..b', '.a', 'a.']);
  });
});

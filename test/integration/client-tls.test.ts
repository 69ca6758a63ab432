import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ConnectionLossError, NoAuthError, Perms, ZooKeeper } from '../../src/index.js';
import type { ZooKeeperOptions, ZooKeeperState } from '../../src/index.js';
import { ZooKeeperEnsemble, ZooKeeperServer } from '../../src/testing/index.js';
import type { ZooKeeperEnsembleTls, ZooKeeperServerTls } from '../../src/testing/index.js';
import { rejectionOf } from '../support/poll.js';

// Two TLS servers of our own, each with its own test CA: `want` asks for a client certificate
// but takes clients without one, `need` refuses them. Each CA is the "wrong CA" for the other.

let want: ZooKeeperServer;
let need: ZooKeeperServer;
const clients: ZooKeeper[] = [];

beforeAll(async () => {
  [want, need] = await Promise.all([
    ZooKeeperServer.start({ tls: true }),
    ZooKeeperServer.start({ tls: { clientAuth: 'need' } }),
  ]);
});

afterAll(async () => {
  await Promise.all([want.stop(), need.stop()]);
});

afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.close()));
});

function tlsOf(server: ZooKeeperServer): ZooKeeperServerTls {
  const tls = server.tls;
  if (tls === undefined) throw new Error('the server was started without tls');
  return tls;
}

async function connect(connectString: string, options: ZooKeeperOptions): Promise<ZooKeeper> {
  const client = await ZooKeeper.connect(connectString, options);
  clients.push(client);
  return client;
}

/** With the client certificate: mutual TLS. */
function withCert(tls: ZooKeeperServerTls | ZooKeeperEnsembleTls): ZooKeeperOptions {
  return { tls: { ca: tls.ca, cert: tls.cert, key: tls.key } };
}

/** connect() expected to fail fast: the timeout bounds how long it keeps retrying. */
function failedConnect(connectString: string, options: ZooKeeperOptions): Promise<unknown> {
  return rejectionOf(ZooKeeper.connect(connectString, { connectTimeout: 1500, ...options }));
}

function uniquePath(): string {
  return `/tls-${randomBytes(6).toString('hex')}`;
}

describe('TLS', () => {
  it('opens a session on the secure port and serves reads and writes over it', async () => {
    const tls = tlsOf(want);
    expect(tls.port).not.toBe(want.port);
    const zk = await connect(tls.connectString, { tls: { ca: tls.ca } });
    expect(zk.connectedServer).toEqual({ host: '127.0.0.1', port: tls.port });
    const path = uniquePath();
    await zk.create(path, 'over tls');
    expect((await zk.getData(path)).data.toString()).toBe('over tls');
    // The plaintext port serves the same data: one server, two listeners.
    const plain = await connect(want.connectString, {});
    expect((await plain.getData(path)).data.toString()).toBe('over tls');
  });

  it('is really TLS: plaintext to the secure port and TLS to the plaintext port both fail', async () => {
    const tls = tlsOf(want);
    expect(await failedConnect(tls.connectString, {})).toBeInstanceOf(ConnectionLossError);
    expect(await failedConnect(want.connectString, { tls: { ca: tls.ca } })).toBeInstanceOf(
      ConnectionLossError,
    );
  });

  it('rejects a server signed by another CA, saying the certificate did not verify', async () => {
    const error = await failedConnect(tlsOf(want).connectString, {
      tls: { ca: tlsOf(need).ca },
    });
    expect(error).toBeInstanceOf(ConnectionLossError);
    const loss = error as ConnectionLossError;
    expect(loss.message).toMatch(/last error: .*certificate/);
    expect(loss.cause).toBeInstanceOf(ConnectionLossError);
    const tlsError = (loss.cause as Error).cause as NodeJS.ErrnoException;
    expect(tlsError.code).toBe('UNABLE_TO_VERIFY_LEAF_SIGNATURE');
  });
});

describe('mutual TLS (clientAuth need)', () => {
  it('refuses a client without a certificate', async () => {
    const tls = tlsOf(need);
    const error = await failedConnect(tls.connectString, { tls: { ca: tls.ca } });
    expect(error).toBeInstanceOf(ConnectionLossError);
    // The server's TLS alert (bad certificate, or certificate required) is what the user sees.
    expect((error as Error).message).toMatch(/last error: .*certificate/);
  });

  it('gives a client with the certificate the x509 identity of its subject', async () => {
    const tls = tlsOf(need);
    const zk = await connect(tls.connectString, withCert(tls));
    expect(await zk.whoAmI()).toContainEqual({ scheme: 'x509', id: tls.clientSubject });
  });
});

describe('x509 ACLs', () => {
  it('let the certificate holder in and keep a TLS client without it out', async () => {
    const tls = tlsOf(want);
    const holder = await connect(tls.connectString, withCert(tls));
    const path = uniquePath();
    await holder.create(path, 'secret', {
      acl: [{ perms: Perms.ALL, id: { scheme: 'x509', id: tls.clientSubject } }],
    });
    expect((await holder.getData(path)).data.toString()).toBe('secret');

    const stranger = await connect(tls.connectString, { tls: { ca: tls.ca } });
    expect(await stranger.whoAmI()).not.toContainEqual({ scheme: 'x509', id: tls.clientSubject });
    expect(await rejectionOf(stranger.getData(path))).toBeInstanceOf(NoAuthError);
  });
});

describe('a server restart', () => {
  it('is survived: the client reconnects over TLS and resumes its session', async () => {
    const tls = tlsOf(want);
    const zk = await connect(tls.connectString, { ...withCert(tls), sessionTimeout: 20_000 });
    const path = uniquePath();
    await zk.create(path, 'mine', { mode: 'ephemeral' });
    const sessionId = zk.sessionId;
    const states: ZooKeeperState[] = [];
    zk.on('state', (state) => states.push(state));

    await want.restart();
    const { data, stat } = await zk.getData(path);
    expect(data.toString()).toBe('mine');
    expect(states).toEqual(['suspended', 'reconnected']);
    expect(zk.sessionId).toBe(sessionId);
    expect(stat.ephemeralOwner).toBe(sessionId);
    expect(zk.connectedServer).toEqual({ host: '127.0.0.1', port: tls.port });
    expect(await zk.whoAmI()).toContainEqual({ scheme: 'x509', id: tls.clientSubject });
  });
});

describe('a TLS ensemble', () => {
  it('serves TLS on every member, and the client moves between them over TLS', async () => {
    await using ensemble = await ZooKeeperEnsemble.start({ size: 3, tls: true });
    const tls = ensemble.tls;
    if (tls === undefined) throw new Error('the ensemble was started without tls');
    expect(tls.connectString.split(',')).toEqual(
      ensemble.members.map((m) => `127.0.0.1:${String(m.tls?.port)}`),
    );
    const zk = await connect(tls.connectString, withCert(tls));
    const path = uniquePath();
    await zk.create(path, 'replicated');
    expect(await zk.whoAmI()).toContainEqual({ scheme: 'x509', id: tls.clientSubject });

    const first = zk.connectedServer;
    const member = ensemble.members.find((m) => m.tls?.port === first?.port);
    if (member === undefined)
      throw new Error(`connected to no member's TLS port: ${String(first?.port)}`);
    await member.stop();
    expect((await zk.getData(path)).data.toString()).toBe('replicated');
    const second = zk.connectedServer?.port;
    expect(second).not.toBe(first?.port);
    expect(ensemble.members.map((m) => m.tls?.port)).toContain(second);
    await zk.close();
  });
});

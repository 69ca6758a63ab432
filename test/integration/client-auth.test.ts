import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  AuthFailedError,
  ConnectionLossError,
  digestId,
  NoAuthError,
  Perms,
  ZooKeeper,
} from '../../src/index.js';
import type { ACL, SaslOptions, ZooKeeperOptions, ZooKeeperState } from '../../src/index.js';
import { ZooKeeperServer } from '../../src/testing/index.js';
import { rejectionOf } from '../support/poll.js';
import { connectString, overflow, OVERFLOW_OPTIONS, uniqueRoot } from './helpers.js';

// Authentication on real servers: digest credentials through addAuth and the `auth` option (sent
// again on every connection), a refused scheme failing the client for good, and SASL DIGEST-MD5
// against a server of its own.

/** Longer than the reconnect pause (0–1 s jitter), so a client that did reconnect would show it. */
const OBSERVATION_MS = 1500;

const clients: ZooKeeper[] = [];

async function open(connect: string, options: ZooKeeperOptions = {}): Promise<ZooKeeper> {
  const client = await ZooKeeper.connect(connect, options);
  clients.push(client);
  return client;
}

afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.close()));
});

function track(zk: ZooKeeper): ZooKeeperState[] {
  const states: ZooKeeperState[] = [];
  zk.on('state', (state) => states.push(state));
  return states;
}

const only = (scheme: string, id: string): ACL[] => [{ perms: Perms.ALL, id: { scheme, id } }];

describe('digest', () => {
  let root: string;
  let admin: ZooKeeper;

  beforeEach(async () => {
    root = uniqueRoot('auth');
    admin = await open(connectString());
    await admin.create(root);
    await admin.create(`${root}/secret`, 'hidden', { acl: only('digest', digestId('bob', 'pw')) });
  });

  it('addAuth: whoAmI shows the digest id and the ACL lets the node be read', async () => {
    const zk = await open(`${connectString()}${root}`);
    expect(await rejectionOf(zk.getData('/secret'))).toBeInstanceOf(NoAuthError);
    await zk.addAuth('digest', 'bob:pw');
    expect(await zk.whoAmI()).toContainEqual({ scheme: 'digest', id: 'bob' });
    expect((await zk.getData('/secret')).data.toString()).toBe('hidden');
  });

  it('a wrong digest password is accepted as an identity, and the ACL refuses it', async () => {
    const zk = await open(`${connectString()}${root}`);
    await zk.addAuth('digest', Buffer.from('bob:wrong'));
    expect(await zk.whoAmI()).toContainEqual({ scheme: 'digest', id: 'bob' });
    const error = await rejectionOf(zk.getData('/secret'));
    expect(error).toBeInstanceOf(NoAuthError);
    expect(error).toMatchObject({ code: 'NOAUTH', path: '/secret' });
    expect(zk.state).toBe('connected');
  });

  it('the auth option authenticates the first connection before any request', async () => {
    const zk = await open(`${connectString()}${root}`, {
      auth: [{ scheme: 'digest', auth: 'bob:pw' }],
    });
    expect((await zk.getData('/secret')).data.toString()).toBe('hidden');
    expect(await zk.whoAmI()).toContainEqual({ scheme: 'digest', id: 'bob' });
  });

  it('an auth option the server refuses fails connect() with AuthFailedError', async () => {
    const error = await rejectionOf(
      ZooKeeper.connect(connectString(), { auth: [{ scheme: 'no-such-scheme', auth: 'x' }] }),
    );
    expect(error).toBeInstanceOf(AuthFailedError);
    expect(error).toMatchObject({ code: 'AUTHFAILED', zkCode: -115 });
  });

  describe('across a dropped connection', () => {
    // As in client-reconnect.test.ts: a frame one byte over jute.maxbuffer makes the server drop
    // exactly this client's connection.
    let zk: ZooKeeper;

    beforeEach(async () => {
      zk = await open(`${connectString()}${root}`, {
        ...OVERFLOW_OPTIONS,
        auth: [{ scheme: 'digest', auth: 'carol:pw' }],
      });
    });

    async function dropConnection(): Promise<void> {
      expect(await overflow(zk, root)).toBeInstanceOf(ConnectionLossError);
      expect(zk.state).toBe('suspended');
    }

    it('credentials from addAuth and the option are sent again on the next connection', async () => {
      const states = track(zk);
      await zk.addAuth('digest', 'bob:pw');
      await dropConnection();
      // Queued while disconnected: sent after the credentials on the new connection.
      const read = await zk.getData('/secret');
      expect(read.data.toString()).toBe('hidden');
      expect(states).toEqual(['suspended', 'reconnected']);
      const ids = await zk.whoAmI();
      expect(ids).toContainEqual({ scheme: 'digest', id: 'bob' });
      expect(ids).toContainEqual({ scheme: 'digest', id: 'carol' });
    });

    it('addAuth while disconnected resolves once the next connection accepted it', async () => {
      await dropConnection();
      const added = zk.addAuth('digest', 'bob:pw');
      const read = zk.getData('/secret');
      await added;
      expect((await read).data.toString()).toBe('hidden');
    });

    it('a scheme refused on reconnect fails queued requests and the client for good', async () => {
      const states = track(zk);
      await dropConnection();
      const added = rejectionOf(zk.addAuth('no-such-scheme', 'x'));
      const queued = rejectionOf(zk.getData('/secret'));
      expect(await added).toBeInstanceOf(AuthFailedError);
      expect(await queued).toBeInstanceOf(AuthFailedError);
      expect(zk.state).toBe('authFailed');
      // Auth packets are pipelined, as the Java client sends them: the refusal comes after.
      expect(states).toEqual(['suspended', 'reconnected', 'authFailed']);
    });
  });

  it('an unknown scheme: AuthFailedError for it and what is pending, authFailed, no reconnect', async () => {
    const zk = await open(`${connectString()}${root}`);
    const states = track(zk);
    // Both leave in one write; the server refuses the first and closes the connection.
    const added = rejectionOf(zk.addAuth('no-such-scheme', 'x'));
    const pending = rejectionOf(zk.getData('/secret'));
    expect(await added).toBeInstanceOf(AuthFailedError);
    expect(await pending).toBeInstanceOf(AuthFailedError);
    expect(zk.state).toBe('authFailed');

    const before = zk.stats;
    await sleep(OBSERVATION_MS);
    // No handshake, nor anything else, was sent since: the client did not try to reconnect.
    expect(zk.stats).toEqual(before);
    expect(states).toEqual(['authFailed']);
    expect(zk.connectedServer).toBeUndefined();

    const later = await rejectionOf(zk.exists('/secret'));
    expect(later).toBeInstanceOf(AuthFailedError);
    expect(later).toMatchObject({ code: 'AUTHFAILED', path: '/secret' });
    expect(await rejectionOf(zk.addAuth('digest', 'bob:pw'))).toBeInstanceOf(AuthFailedError);

    await zk.close();
    expect(zk.state).toBe('closed');
    expect(states).toEqual(['authFailed', 'closed']);
  });
});

describe('SASL DIGEST-MD5', () => {
  const users = { alice: 'alice-secret' };
  const alice: SaslOptions = {
    mechanism: 'DIGEST-MD5',
    username: 'alice',
    password: 'alice-secret',
  };
  let server: ZooKeeperServer;

  beforeAll(async () => {
    server = await ZooKeeperServer.start({ sasl: { users } });
  });

  afterAll(async () => {
    await server.stop();
  });

  /** How often the server has refused a SASL exchange so far, by its log. */
  async function saslRefusals(zkServer: ZooKeeperServer): Promise<number> {
    const log = await zkServer.logTail(100_000);
    return log.split('\n').filter((line) => line.includes('failed to SASL authenticate')).length;
  }

  it('authenticates: whoAmI shows the sasl id and a sasl:alice node is readable', async () => {
    const zk = await open(server.connectString, { sasl: alice });
    expect(await zk.whoAmI()).toContainEqual({ scheme: 'sasl', id: 'alice' });
    await zk.create('/alice-only', 'hers', { acl: only('sasl', 'alice') });
    expect((await zk.getData('/alice-only')).data.toString()).toBe('hers');
    const stranger = await open(server.connectString);
    expect(await rejectionOf(stranger.getData('/alice-only'))).toBeInstanceOf(NoAuthError);
  });

  it('a wrong password fails connect() with AuthFailedError, tried once', async () => {
    const before = await saslRefusals(server);
    const error = await rejectionOf(
      ZooKeeper.connect(server.connectString, { sasl: { ...alice, password: 'wrong' } }),
    );
    expect(error).toBeInstanceOf(AuthFailedError);
    expect(error).toMatchObject({ code: 'AUTHFAILED' });
    await sleep(OBSERVATION_MS);
    expect(await saslRefusals(server)).toBe(before + 1);
  });

  it('a password changed on the server while away: authFailed on reconnect, no retries', async () => {
    // The session is resumed on a server with the same data but other credentials for alice.
    const dataDir = await mkdtemp(join(tmpdir(), 'zkcoord-auth-'));
    let first: ZooKeeperServer | undefined;
    let second: ZooKeeperServer | undefined;
    try {
      first = await ZooKeeperServer.start({ dataDir, sasl: { users } });
      const zk = await open(first.connectString, { sasl: alice, sessionTimeout: 30_000 });
      const states = track(zk);
      await zk.create('/n', 'x');
      await first.stop();
      second = await ZooKeeperServer.start({
        dataDir,
        port: first.port,
        sasl: { users: { alice: 'changed' } },
      });
      const queued = rejectionOf(zk.getData('/n'));
      expect(await queued).toBeInstanceOf(AuthFailedError);
      expect(zk.state).toBe('authFailed');
      expect(states.at(-1)).toBe('authFailed');
      expect(states).not.toContain('reconnected');

      const before = zk.stats;
      await sleep(OBSERVATION_MS);
      expect(zk.stats).toEqual(before);
      expect(await saslRefusals(second)).toBe(1);
      await zk.close();
      expect(zk.state).toBe('closed');
    } finally {
      await first?.stop();
      await second?.stop();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});

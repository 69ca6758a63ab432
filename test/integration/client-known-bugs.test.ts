import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConnectionLossError, InvalidArgumentError, ZooKeeper } from '../../src/index.js';
import { connectString, uniqueRoot } from './helpers.js';

// Client bugs found by the integration tests, kept apart so that the other files stay green.
// Every test here FAILS against the current client and should pass once the bug is fixed; then
// move it to the file of its theme.

const MAX_FRAME = 1_048_575;
const OPEN_ACL_BYTES = 4 + 4 + (4 + 5) + (4 + 6);

const clients: ZooKeeper[] = [];
let admin: ZooKeeper;
let root: string;

async function open(chroot = '', maxRequestSize?: number): Promise<ZooKeeper> {
  const client = await ZooKeeper.connect(
    `${connectString()}${chroot}`,
    maxRequestSize === undefined ? {} : { maxRequestSize },
  );
  clients.push(client);
  return client;
}

beforeEach(async () => {
  root = uniqueRoot('bugs');
  admin = await open();
  await admin.create(root);
});

afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.close()));
});

describe('chroot: a sequential create of "/" escapes the chroot', () => {
  // src/client/zookeeper.ts serverPath / src/client/chroot.ts toServer: '/' maps to the chroot
  // itself, so the sequential suffix is appended to the chroot's own name: with chroot /app the
  // node created is the sibling /app0000000001, outside the chroot, and the path returned
  // (/app0000000001, not stripped) names nothing this client can reach. Expected: the node is
  // created inside the chroot (/app/0000000001, returned as /0000000001), or the call is refused
  // with InvalidArgumentError. (The Java client has the same flaw; zkcoord promises a consistent
  // chroot.)

  async function siblingsOfRoot(): Promise<string[]> {
    const name = root.slice(1);
    const { children } = await admin.getChildren('/');
    return children.filter((child) => child !== name && child.startsWith(name));
  }

  it('create("/", …, persistent-sequential) creates nothing outside the chroot', async () => {
    const zk = await open(root);
    let created: string | undefined;
    try {
      created = (await zk.create('/', 'x', { mode: 'persistent-sequential' })).path;
    } catch (error) {
      expect(error).toBeInstanceOf(InvalidArgumentError);
    }
    expect(await siblingsOfRoot()).toEqual([]);
    if (created !== undefined) {
      expect(created).toMatch(/^\/\d{10}$/);
      expect(await zk.exists(created)).not.toBeNull();
    }
  });

  it('the same through a transaction', async () => {
    const zk = await open(root);
    let created: string | undefined;
    try {
      const [result] = await zk
        .transaction()
        .create('/', 'x', { mode: 'ephemeral-sequential' })
        .commit();
      created = result.path;
    } catch (error) {
      expect(error).toBeInstanceOf(InvalidArgumentError);
    }
    expect(await siblingsOfRoot()).toEqual([]);
    if (created !== undefined) expect(await zk.exists(created)).not.toBeNull();
  });
});

describe('close() during a reconnect leaves the session alive on the server', () => {
  // src/client/session.ts doClose(): when the connection has just dropped (state 'suspended')
  // there is no open connection, so no closeSession is sent; the reconnect already under way then
  // completes its handshake (the server is up), connectLoop sees isClosed() and just closes that
  // new socket — again without closeSession. The session, its ephemerals (locks!) and its watches
  // live on until the server expires it a full session timeout later. Expected, as documented on
  // close() ("the server deletes our ephemeral nodes at once"): close() finishes the reconnect (or
  // waits for it, bounded) and sends closeSession, so the ephemerals are gone when it resolves.

  it('our ephemerals are gone right after close() resolves', async () => {
    const zk = await open(root, MAX_FRAME + 1);
    await zk.create('/lock', '', { mode: 'ephemeral' });
    // A frame one byte over jute.maxbuffer: the server drops this connection, and only it.
    const path = '/overflow';
    const pathBytes = Buffer.byteLength(`${root}${path}`);
    const size = MAX_FRAME - 8 - (4 + pathBytes) - 4 - OPEN_ACL_BYTES - 4 + 1;
    await expect(zk.create(path, Buffer.alloc(size))).rejects.toBeInstanceOf(ConnectionLossError);
    expect(zk.state).toBe('suspended');

    await zk.close();
    expect(zk.state).toBe('closed');
    expect(await admin.exists(`${root}/lock`)).toBeNull();
  });
});

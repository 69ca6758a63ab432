import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { NodeExistsError, NoNodeError, NotEmptyError, ZooKeeper } from '../../src/index.js';
import { rejectionOf } from '../support/poll.js';
import { connectString, uniqueRoot } from './helpers.js';

// The chroot of the connect string: applied to every outgoing path, stripped from every path the
// client hands back (create results, sequential names, transaction results, watch events, errors).

const clients: ZooKeeper[] = [];
let admin: ZooKeeper;
let zk: ZooKeeper;
let root: string;

async function open(chroot = ''): Promise<ZooKeeper> {
  const client = await ZooKeeper.connect(`${connectString()}${chroot}`);
  clients.push(client);
  return client;
}

beforeEach(async () => {
  root = uniqueRoot('chroot');
  admin = await open();
  await admin.create(root, 'root data');
  zk = await open(root);
});

afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.close()));
});

describe('paths in results', () => {
  it('create returns the chroot-relative path; the root-level client sees it under the prefix', async () => {
    expect(zk.chrootPath).toBe(root);
    const created = await zk.create('/app', 'payload');
    expect(created.path).toBe('/app');
    const nested = await zk.create('/app/config', 'c');
    expect(nested.path).toBe('/app/config');

    const seen = await admin.getData(`${root}/app/config`);
    expect(seen.data.toString()).toBe('c');
    expect(seen.stat).toEqual(nested.stat);
    expect((await admin.getChildren(root)).children).toEqual(['app']);
    expect(await admin.exists('/app')).toBeNull();
  });

  it('sequential names are stripped', async () => {
    await zk.create('/q');
    const a = await zk.create('/q/item-', '', { mode: 'persistent-sequential' });
    const b = await zk.create('/q/', '', { mode: 'ephemeral-sequential' });
    expect(a.path).toBe('/q/item-0000000000');
    expect(b.path).toBe('/q/0000000001');
    expect(await admin.exists(`${root}/q/item-0000000000`)).not.toBeNull();
    expect((await zk.exists(b.path))?.ephemeralOwner).toBe(zk.sessionId);
  });

  it('transaction create paths are stripped, sequential ones included', async () => {
    const [plain, seq, ttl] = await zk
      .transaction()
      .create('/t')
      .create('/t/n-', '', { mode: 'persistent-sequential' })
      .create('/t/ttl', '', { mode: 'persistent-ttl', ttl: 60_000 })
      .commit();
    expect(plain.path).toBe('/t');
    expect(seq.path).toBe('/t/n-0000000000');
    expect(ttl.path).toBe('/t/ttl');
    expect((await admin.getChildren(`${root}/t`)).children.sort()).toEqual(['n-0000000000', 'ttl']);
  });
});

describe('"/" is the chroot node', () => {
  it('reads of "/" are reads of the chroot node', async () => {
    await zk.create('/child');
    const { data, stat } = await zk.getData('/');
    expect(data.toString()).toBe('root data');
    expect(stat).toEqual(await admin.exists(root));
    expect((await zk.getChildren('/')).children).toEqual(['child']);
    await zk.setData('/', 'changed through the chroot');
    expect((await admin.getData(root)).data.toString()).toBe('changed through the chroot');
  });

  it('errors on "/" name "/" and not the server path', async () => {
    await zk.create('/child');
    const exists = await rejectionOf(zk.create('/'));
    expect(exists).toBeInstanceOf(NodeExistsError);
    expect(exists).toMatchObject({ path: '/' });
    const notEmpty = await rejectionOf(zk.delete('/'));
    expect(notEmpty).toBeInstanceOf(NotEmptyError);
    expect(notEmpty).toMatchObject({ path: '/' });
    expect((notEmpty as Error).message).not.toContain(root);
  });
});

describe('a sequential create of "/"', () => {
  // '/' is the chroot node, so its sequential children belong inside it (/root/0000000000), not
  // beside it (/root0000000000, which is what the Java client creates).
  async function siblingsOfRoot(): Promise<string[]> {
    const name = root.slice(1);
    const { children } = await admin.getChildren('/');
    return children.filter((child) => child !== name && child.startsWith(name));
  }

  it('creates the node inside the chroot and returns a path that names it', async () => {
    const created = await zk.create('/', 'x', { mode: 'persistent-sequential' });
    expect(created.path).toMatch(/^\/\d{10}$/);
    expect((await zk.getData(created.path)).data.toString()).toBe('x');
    expect((await admin.getChildren(root)).children).toEqual([created.path.slice(1)]);
    expect(await siblingsOfRoot()).toEqual([]);
  });

  it('does the same inside a transaction', async () => {
    const [created] = await zk
      .transaction()
      .create('/', 'x', { mode: 'ephemeral-sequential' })
      .commit();
    expect(created.path).toMatch(/^\/\d{10}$/);
    expect((await zk.exists(created.path))?.ephemeralOwner).toBe(zk.sessionId);
    expect(await siblingsOfRoot()).toEqual([]);
  });
});

describe('errors and watch events', () => {
  it('server errors carry the caller path and do not mention the chroot', async () => {
    const error = await rejectionOf(zk.getData('/no/such/node'));
    expect(error).toBeInstanceOf(NoNodeError);
    expect(error).toMatchObject({ path: '/no/such/node' });
    expect((error as Error).message).not.toContain(root);

    const txn = await rejectionOf(zk.transaction().create('/x').check('/absent').commit());
    expect(txn).toBeInstanceOf(NoNodeError);
    expect(txn).toMatchObject({ path: '/absent' });
  });

  it('watch events carry chroot-relative paths, also for changes made outside the chroot', async () => {
    await zk.create('/w');
    const data = await zk.getData('/w', { watch: true });
    const children = await zk.getChildren('/w', { watch: true });
    const missing = await zk.exists('/w2', { watch: true });
    await admin.setData(`${root}/w`, 'x');
    await admin.create(`${root}/w/c`);
    await admin.create(`${root}/w2`);
    await expect(data.watch).resolves.toMatchObject({ type: 'nodeDataChanged', path: '/w' });
    await expect(children.watch).resolves.toMatchObject({
      type: 'nodeChildrenChanged',
      path: '/w',
    });
    await expect(missing.watch).resolves.toMatchObject({ type: 'nodeCreated', path: '/w2' });
  });
});

describe('isolation', () => {
  it('clients with different chroots use the same names without seeing each other', async () => {
    const otherRoot = uniqueRoot('chroot');
    await admin.create(otherRoot);
    const other = await open(otherRoot);
    await zk.create('/shared-name', 'mine');
    await other.create('/shared-name', 'theirs');
    expect((await zk.getData('/shared-name')).data.toString()).toBe('mine');
    expect((await other.getData('/shared-name')).data.toString()).toBe('theirs');
  });

  it('a nested chroot strips the whole prefix', async () => {
    await zk.create('/a');
    await zk.create('/a/b');
    const deep = await open(`${root}/a/b`);
    expect(deep.chrootPath).toBe(`${root}/a/b`);
    const created = await deep.create('/leaf', '', { mode: 'persistent-sequential' });
    expect(created.path).toBe('/leaf0000000000');
    expect((await zk.getChildren('/a/b')).children).toEqual(['leaf0000000000']);
    const { watch } = await deep.getData('/leaf0000000000', { watch: true });
    await zk.delete('/a/b/leaf0000000000');
    await expect(watch).resolves.toMatchObject({ type: 'nodeDeleted', path: '/leaf0000000000' });
  });

  it('a chroot that does not exist yet: NoNode until it is created', async () => {
    const later = `${root}/later`;
    const client = await open(later);
    const error = await rejectionOf(client.create('/x'));
    expect(error).toBeInstanceOf(NoNodeError);
    expect(error).toMatchObject({ path: '/x' });
    await zk.create('/later');
    expect((await client.create('/x')).path).toBe('/x');
    expect(await zk.exists('/later/x')).not.toBeNull();
  });

  it('a connect string ending in a lone "/" has no chroot', async () => {
    const plain = await open('/');
    expect(plain.chrootPath).toBe('');
    expect(await plain.exists(root)).not.toBeNull();
  });
});

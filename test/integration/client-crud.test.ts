import { beforeEach, describe, expect, it } from 'vitest';
import {
  BadArgumentsError,
  BadVersionError,
  InvalidArgumentError,
  NoChildrenForEphemeralsError,
  NodeExistsError,
  NoNodeError,
  NotEmptyError,
  OPEN_ACL_UNSAFE,
  ZooKeeper,
} from '../../src/index.js';
import type { ZooKeeperError } from '../../src/index.js';
import { rejectionOf } from '../support/poll.js';
import { clientsClosedAfterEach, uniqueRoot } from './helpers.js';

// Every operation's success path and its server error paths, on a real server, each test under a
// chroot of its own.

const open = clientsClosedAfterEach();
let admin: ZooKeeper;
let zk: ZooKeeper;
let root: string;

beforeEach(async () => {
  root = uniqueRoot('crud');
  admin = await open();
  await admin.create(root);
  zk = await open(root);
});

type ErrorClass = abstract new (...args: never[]) => ZooKeeperError;

async function expectServerError(
  promise: Promise<unknown>,
  cls: ErrorClass,
  expected: { code: string; zkCode: number; path: string },
): Promise<void> {
  const error = await rejectionOf(promise);
  expect(error).toBeInstanceOf(cls);
  expect(error).toMatchObject(expected);
}

describe('success paths', () => {
  it('create returns the path and a fresh Stat that exists and getData agree with', async () => {
    const created = await zk.create('/node', 'hello');
    expect(created.path).toBe('/node');
    expect(created.stat).toMatchObject({
      version: 0,
      cversion: 0,
      aversion: 0,
      ephemeralOwner: 0n,
      dataLength: 5,
      numChildren: 0,
    });
    expect(created.stat.mzxid).toBe(created.stat.czxid);
    expect(created.stat.czxid).toBeGreaterThan(0n);

    expect(await zk.exists('/node')).toEqual(created.stat);
    const read = await zk.getData('/node');
    expect(read.data.toString('utf8')).toBe('hello');
    expect(read.stat).toEqual(created.stat);
  });

  it('exists resolves null for a missing node', async () => {
    expect(await zk.exists('/missing')).toBeNull();
  });

  it('setData bumps the version, with or without an expected version', async () => {
    const { stat: created } = await zk.create('/node', 'a');
    const first = await zk.setData('/node', 'bb');
    expect(first.version).toBe(1);
    expect(first.dataLength).toBe(2);
    expect(first.czxid).toBe(created.czxid);
    expect(first.mzxid).toBeGreaterThan(created.mzxid);

    const second = await zk.setData('/node', 'ccc', { version: 1 });
    expect(second.version).toBe(2);
    const read = await zk.getData('/node');
    expect(read.data.toString()).toBe('ccc');
    expect(read.stat).toEqual(second);
  });

  it('delete removes the node, with the right version or with none', async () => {
    await zk.create('/a');
    await zk.setData('/a', 'x');
    await zk.delete('/a', { version: 1 });
    expect(await zk.exists('/a')).toBeNull();

    await zk.create('/b');
    await zk.delete('/b');
    expect(await zk.exists('/b')).toBeNull();
    const { children } = await zk.getChildren('/');
    expect(children).toEqual([]);
  });

  it('getChildren returns child names (not paths) and the parent Stat', async () => {
    await zk.create('/p');
    for (const name of ['c', 'a', 'b']) await zk.create(`/p/${name}`);
    await zk.create('/p/a/grandchild');

    const listed = await zk.getChildren('/p');
    expect([...listed.children].sort()).toEqual(['a', 'b', 'c']);
    expect(listed.stat.numChildren).toBe(3);
    expect(listed.stat.cversion).toBe(3);

    await zk.delete('/p/b');
    const after = await zk.getChildren('/p');
    expect([...after.children].sort()).toEqual(['a', 'c']);
    expect(after.stat.numChildren).toBe(2);
    expect(after.stat.cversion).toBe(4);

    const leaf = await zk.getChildren('/p/c');
    expect(leaf.children).toEqual([]);
    expect(leaf.stat.numChildren).toBe(0);
  });

  it('getACL of a node created without an ACL is OPEN_ACL_UNSAFE', async () => {
    await zk.create('/node');
    const { acl, stat } = await zk.getACL('/node');
    expect(acl).toEqual(OPEN_ACL_UNSAFE);
    expect(stat.aversion).toBe(0);
  });
});

describe('data encodings', () => {
  it('absent, empty-string and empty-buffer data all read back as an empty Buffer', async () => {
    await zk.create('/none');
    await zk.create('/string', '');
    await zk.create('/bytes', Buffer.alloc(0));
    for (const path of ['/none', '/string', '/bytes']) {
      const { data, stat } = await zk.getData(path);
      expect(Buffer.isBuffer(data)).toBe(true);
      expect(data.length).toBe(0);
      expect(stat.dataLength).toBe(0);
    }
  });

  it('setData with empty data empties a node', async () => {
    await zk.create('/node', 'something');
    const stat = await zk.setData('/node', new Uint8Array(0));
    expect(stat.dataLength).toBe(0);
    expect((await zk.getData('/node')).data.length).toBe(0);
  });

  it('binary data round-trips byte for byte, every byte value included', async () => {
    const bytes = Buffer.alloc(512);
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 7 + 3) % 256;
    await zk.create('/bin', bytes);
    const { data, stat } = await zk.getData('/bin');
    expect(data.equals(bytes)).toBe(true);
    expect(stat.dataLength).toBe(512);
  });

  it('a plain Uint8Array (not a Buffer) is accepted and read back as a Buffer', async () => {
    await zk.create('/u8', new Uint8Array([0, 255, 1, 254]));
    const { data } = await zk.getData('/u8');
    expect(Buffer.isBuffer(data)).toBe(true);
    expect([...data]).toEqual([0, 255, 1, 254]);
  });

  it('strings are sent as UTF-8', async () => {
    const text = 'héllo ✓ 🦀 — ünïcode';
    const { stat } = await zk.create('/text', text);
    expect(stat.dataLength).toBe(Buffer.byteLength(text, 'utf8'));
    const { data } = await zk.getData('/text');
    expect(data.equals(Buffer.from(text, 'utf8'))).toBe(true);
    expect(data.toString('utf8')).toBe(text);

    await zk.setData('/text', '日本語');
    expect((await zk.getData('/text')).data.toString('utf8')).toBe('日本語');
  });

  it('data that is neither bytes nor a string (null from untyped code) is refused unsent', async () => {
    const before = zk.stats.framesSent;
    for (const data of [null, 42, { length: 1 }] as unknown as string[]) {
      expect(await rejectionOf(zk.create('/odd', data))).toBeInstanceOf(InvalidArgumentError);
    }
    expect(zk.stats.framesSent).toBe(before);
    expect(await zk.exists('/odd')).toBeNull();
  });

  it('stores the bytes as they were when create was called, not when they were flushed', async () => {
    const bytes = Buffer.from('original');
    const pending = zk.create('/snapshot', bytes);
    bytes.write('MUTATED!');
    await pending;
    expect((await zk.getData('/snapshot')).data.toString()).toBe('original');
  });
  it('data read earlier keeps its bytes while later replies arrive on the same connection', async () => {
    // The client reads the socket into one buffer it reuses: what it hands out must be copies.
    await zk.create('/kept', 'k'.repeat(200));
    await zk.create('/churn', Buffer.alloc(60_000, 'c'));
    const { data: kept } = await zk.getData('/kept');
    await Promise.all(Array.from({ length: 20 }, () => zk.getData('/churn')));
    const { children } = await zk.getChildren('/');
    expect(kept.toString()).toBe('k'.repeat(200));
    expect(children.sort()).toEqual(['churn', 'kept']);
  });
});

describe('NoNode', () => {
  const cases: [string, (client: ZooKeeper) => Promise<unknown>][] = [
    ['getData', (c) => c.getData('/missing')],
    ['setData', (c) => c.setData('/missing', 'x')],
    ['delete', (c) => c.delete('/missing')],
    ['getChildren', (c) => c.getChildren('/missing')],
    ['getACL', (c) => c.getACL('/missing')],
    ['setACL', (c) => c.setACL('/missing', OPEN_ACL_UNSAFE)],
  ];
  it.each(cases)('%s on a missing node rejects with NoNodeError', async (_name, run) => {
    await expectServerError(run(zk), NoNodeError, {
      code: 'NONODE',
      zkCode: -101,
      path: '/missing',
    });
  });

  it('create under a missing parent rejects with NoNodeError carrying the caller path', async () => {
    await expectServerError(zk.create('/missing/child'), NoNodeError, {
      code: 'NONODE',
      zkCode: -101,
      path: '/missing/child',
    });
    expect(await zk.exists('/missing')).toBeNull();
  });
});

describe('other server errors', () => {
  it('create of an existing node rejects with NodeExistsError and leaves it alone', async () => {
    await zk.create('/dup', 'first');
    await expectServerError(zk.create('/dup', 'second'), NodeExistsError, {
      code: 'NODEEXISTS',
      zkCode: -110,
      path: '/dup',
    });
    expect((await zk.getData('/dup')).data.toString()).toBe('first');
  });

  it('setData with a wrong version rejects with BadVersionError and changes nothing', async () => {
    await zk.create('/v', 'keep');
    await expectServerError(zk.setData('/v', 'lost', { version: 3 }), BadVersionError, {
      code: 'BADVERSION',
      zkCode: -103,
      path: '/v',
    });
    const { data, stat } = await zk.getData('/v');
    expect(data.toString()).toBe('keep');
    expect(stat.version).toBe(0);
  });

  it('delete with a wrong version rejects with BadVersionError and keeps the node', async () => {
    await zk.create('/v');
    await zk.setData('/v', 'x');
    await expectServerError(zk.delete('/v', { version: 0 }), BadVersionError, {
      code: 'BADVERSION',
      zkCode: -103,
      path: '/v',
    });
    expect(await zk.exists('/v')).not.toBeNull();
  });

  it('delete of a node with children rejects with NotEmptyError', async () => {
    await zk.create('/parent');
    await zk.create('/parent/child');
    await expectServerError(zk.delete('/parent'), NotEmptyError, {
      code: 'NOTEMPTY',
      zkCode: -111,
      path: '/parent',
    });
    expect((await zk.getChildren('/parent')).children).toEqual(['child']);
  });

  it('create under an ephemeral rejects with NoChildrenForEphemeralsError', async () => {
    await zk.create('/eph', '', { mode: 'ephemeral' });
    await expectServerError(zk.create('/eph/child'), NoChildrenForEphemeralsError, {
      code: 'NOCHILDRENFOREPHEMERALS',
      zkCode: -108,
      path: '/eph/child',
    });
    await expectServerError(
      zk.create('/eph/seq-', '', { mode: 'ephemeral-sequential' }),
      NoChildrenForEphemeralsError,
      { code: 'NOCHILDRENFOREPHEMERALS', zkCode: -108, path: '/eph/seq-' },
    );
  });

  it('deleting the server root "/" rejects with BadArgumentsError', async () => {
    await expectServerError(admin.delete('/'), BadArgumentsError, {
      code: 'BADARGUMENTS',
      zkCode: -8,
      path: '/',
    });
  });

  it('a version outside -1 … 2^31-1 is refused before anything is sent', async () => {
    await zk.create('/v');
    const before = zk.stats;
    for (const version of [-2, 1.5, 2 ** 31, Number.NaN]) {
      expect(await rejectionOf(zk.setData('/v', 'x', { version }))).toBeInstanceOf(
        InvalidArgumentError,
      );
      expect(await rejectionOf(zk.delete('/v', { version }))).toBeInstanceOf(InvalidArgumentError);
    }
    expect(zk.stats.framesSent).toBe(before.framesSent);
    expect((await zk.getData('/v')).stat.version).toBe(0);
  });
});

describe('sync', () => {
  it('resolves, and a read after it sees what another client wrote before it', async () => {
    await zk.create('/s', 'v0');
    await admin.setData(`${root}/s`, 'v1');
    await zk.sync('/s');
    expect((await zk.getData('/s')).data.toString()).toBe('v1');
    await expect(zk.sync()).resolves.toBeUndefined();
    await expect(zk.sync('/not-there-yet')).resolves.toBeUndefined();
  });

  it('refuses an invalid path before sending', async () => {
    const before = zk.stats;
    expect(await rejectionOf(zk.sync('no-slash'))).toBeInstanceOf(InvalidArgumentError);
    expect(zk.stats.framesSent).toBe(before.framesSent);
  });
});

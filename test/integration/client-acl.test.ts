import { beforeEach, describe, expect, it } from 'vitest';
import {
  BadVersionError,
  CREATOR_ALL_ACL,
  digestId,
  InvalidACLError,
  InvalidArgumentError,
  NoAuthError,
  OPEN_ACL_UNSAFE,
  Perms,
  READ_ACL_UNSAFE,
  ZooKeeper,
} from '../../src/index.js';
import type { ACL } from '../../src/index.js';
import { rejectionOf } from '../support/poll.js';
import { clientsClosedAfterEach, COUNTED_FRAMES, uniqueRoot } from './helpers.js';

// ACLs on a real server: getACL/setACL round trips with aversion checks, InvalidACL refused by the
// client (empty list) or by the server (bad ids), and NoAuth from the server's permission checks.

const open = clientsClosedAfterEach();
let zk: ZooKeeper;

beforeEach(async () => {
  const root = uniqueRoot('acl');
  await (await open()).create(root);
  zk = await open(root, COUNTED_FRAMES);
});

const world = (perms: number): ACL => ({ perms, id: { scheme: 'world', id: 'anyone' } });

describe('getACL / setACL', () => {
  it('digestId computes the id the server stores for user:password', () => {
    // The vector from ZooKeeper's DigestAuthenticationProvider (SHA-1, base64).
    expect(digestId('bob', 'pw')).toBe('bob:ikIaKsbtGweaHnb/jKn7OHqbunM=');
  });

  it('round-trips a digest ACL and checks the version against aversion', async () => {
    await zk.create('/n', 'data');
    const acl: ACL[] = [
      world(Perms.READ | Perms.ADMIN),
      { perms: Perms.ALL, id: { scheme: 'digest', id: digestId('bob', 'pw') } },
    ];
    const stat = await zk.setACL('/n', acl, { version: 0 });
    expect(stat.aversion).toBe(1);
    expect(stat.version).toBe(0);

    const read = await zk.getACL('/n');
    expect(read.acl).toEqual(acl);
    expect(read.stat).toEqual(stat);

    const stale = await rejectionOf(zk.setACL('/n', OPEN_ACL_UNSAFE, { version: 0 }));
    expect(stale).toBeInstanceOf(BadVersionError);
    expect(stale).toMatchObject({ code: 'BADVERSION', zkCode: -103, path: '/n' });
    expect((await zk.getACL('/n')).acl).toEqual(acl);

    // setACL's version is matched against aversion (now 1), not the data version (still 0).
    const next = await zk.setACL('/n', [world(Perms.ALL)], { version: 1 });
    expect(next.aversion).toBe(2);
    const any = await zk.setACL('/n', acl);
    expect(any.aversion).toBe(3);
  });

  it('enforces the ACL it set: world READ|ADMIN allows reads, not writes', async () => {
    await zk.create('/n', 'data');
    await zk.setACL('/n', [
      world(Perms.READ | Perms.ADMIN),
      { perms: Perms.ALL, id: { scheme: 'digest', id: digestId('bob', 'pw') } },
    ]);
    expect((await zk.getData('/n')).data.toString()).toBe('data');
    const error = await rejectionOf(zk.setData('/n', 'changed'));
    expect(error).toBeInstanceOf(NoAuthError);
    expect(error).toMatchObject({ code: 'NOAUTH', zkCode: -102, path: '/n' });
  });

  it('ip ACLs match the connection address (127.0.0.1), and only it', async () => {
    await zk.create('/local', '', {
      acl: [{ perms: Perms.ALL, id: { scheme: 'ip', id: '127.0.0.1' } }],
    });
    await zk.setData('/local', 'allowed');
    await zk.create('/elsewhere', '', {
      acl: [{ perms: Perms.ALL, id: { scheme: 'ip', id: '10.0.0.0/8' } }, world(Perms.READ)],
    });
    expect(await rejectionOf(zk.setData('/elsewhere', 'denied'))).toBeInstanceOf(NoAuthError);
  });
});

describe('NoAuth', () => {
  it('setData and setACL on a READ_ACL_UNSAFE node are refused', async () => {
    const { stat } = await zk.create('/ro', 'fixed', { acl: READ_ACL_UNSAFE });
    expect((await zk.getACL('/ro')).acl).toEqual(READ_ACL_UNSAFE);
    expect(await rejectionOf(zk.setData('/ro', 'x'))).toMatchObject({
      code: 'NOAUTH',
      zkCode: -102,
      path: '/ro',
    });
    expect(await rejectionOf(zk.setACL('/ro', OPEN_ACL_UNSAFE))).toBeInstanceOf(NoAuthError);
    const after = await zk.getData('/ro');
    expect(after.data.toString()).toBe('fixed');
    expect(after.stat).toEqual(stat);
  });

  it('create and delete of children need CREATE and DELETE on the parent', async () => {
    await zk.create('/parent');
    await zk.create('/parent/child');
    await zk.setACL('/parent', READ_ACL_UNSAFE);

    const create = await rejectionOf(zk.create('/parent/other'));
    expect(create).toBeInstanceOf(NoAuthError);
    expect(create).toMatchObject({ path: '/parent/other' });
    const del = await rejectionOf(zk.delete('/parent/child'));
    expect(del).toBeInstanceOf(NoAuthError);
    expect(del).toMatchObject({ path: '/parent/child' });
    expect((await zk.getChildren('/parent')).children).toEqual(['child']);
  });

  it('a node without READ for us cannot be read', async () => {
    await zk.create('/secret', 's', {
      acl: [{ perms: Perms.ALL, id: { scheme: 'digest', id: digestId('bob', 'pw') } }],
    });
    expect(await rejectionOf(zk.getData('/secret'))).toBeInstanceOf(NoAuthError);
    expect(await rejectionOf(zk.getChildren('/secret'))).toBeInstanceOf(NoAuthError);
  });
});

describe('InvalidACL', () => {
  it('an empty ACL list is refused before anything is sent, still as InvalidACLError', async () => {
    await zk.create('/n');
    const before = zk.stats;
    const onCreate = await rejectionOf(zk.create('/new', '', { acl: [] }));
    expect(onCreate).toBeInstanceOf(InvalidACLError);
    expect(onCreate).toMatchObject({ code: 'INVALIDACL', zkCode: -114, path: '/new' });
    const onSet = await rejectionOf(zk.setACL('/n', []));
    expect(onSet).toBeInstanceOf(InvalidACLError);
    expect(onSet).toMatchObject({ code: 'INVALIDACL', zkCode: -114, path: '/n' });
    expect(zk.stats.framesSent).toBe(before.framesSent);
    expect(await zk.exists('/new')).toBeNull();
  });

  const serverRefused: [string, ACL[]][] = [
    ['world:someone', [{ perms: Perms.ALL, id: { scheme: 'world', id: 'someone' } }]],
    ['ip:999.1.1.1', [{ perms: Perms.ALL, id: { scheme: 'ip', id: '999.1.1.1' } }]],
    ['an unknown scheme', [{ perms: Perms.ALL, id: { scheme: 'nosuch', id: 'x' } }]],
    ['auth with no authenticated id (CREATOR_ALL_ACL)', [...CREATOR_ALL_ACL]],
  ];

  it.each(serverRefused)('%s is refused by the server on create', async (_name, acl) => {
    const before = zk.stats.framesSent;
    const error = await rejectionOf(zk.create('/bad', 'x', { acl }));
    expect(error).toBeInstanceOf(InvalidACLError);
    expect(error).toMatchObject({ code: 'INVALIDACL', zkCode: -114, path: '/bad' });
    expect(zk.stats.framesSent).toBe(before + 1);
    expect(await zk.exists('/bad')).toBeNull();
  });

  it.each(serverRefused)('%s is refused by the server on setACL', async (_name, acl) => {
    await zk.create('/n');
    const error = await rejectionOf(zk.setACL('/n', acl));
    expect(error).toBeInstanceOf(InvalidACLError);
    expect(error).toMatchObject({ path: '/n' });
    const after = await zk.getACL('/n');
    expect(after.acl).toEqual(OPEN_ACL_UNSAFE);
    expect(after.stat.aversion).toBe(0);
  });

  it('malformed entries are refused with InvalidArgumentError before anything is sent', async () => {
    const before = zk.stats.framesSent;
    const malformed = [
      [{ perms: 32, id: { scheme: 'world', id: 'anyone' } }],
      [{ perms: -1, id: { scheme: 'world', id: 'anyone' } }],
      [{ perms: Perms.ALL, id: { scheme: '', id: 'anyone' } }],
    ] as ACL[][];
    for (const acl of malformed) {
      expect(await rejectionOf(zk.create('/bad', '', { acl }))).toBeInstanceOf(
        InvalidArgumentError,
      );
    }
    expect(zk.stats.framesSent).toBe(before);
  });
});

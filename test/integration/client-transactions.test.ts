import { beforeEach, describe, expect, it } from 'vitest';
import {
  BadVersionError,
  ClientClosedError,
  InvalidArgumentError,
  NodeExistsError,
  NoNodeError,
  NotEmptyError,
  RuntimeInconsistencyError,
  ZooKeeper,
} from '../../src/index.js';
import type { TransactionFailure } from '../../src/index.js';
import { serverVersion, versionAtLeast } from '../../src/testing/server-version.js';
import { rejectionOf } from '../support/poll.js';
import { clientsClosedAfterEach, connectString, uniqueRoot } from './helpers.js';

// Transactions (multi) on the shared real server (Debian's 3.8.0 unless ZOOKEEPER_VERSION says
// otherwise), under a chroot.

const open = clientsClosedAfterEach();
let zk: ZooKeeper;
let admin: ZooKeeper;
let root: string;

beforeEach(async () => {
  root = uniqueRoot('txn');
  admin = await open();
  await admin.create(root);
  zk = await open(root);
});

function failureOf(error: unknown): TransactionFailure {
  expect(error).toHaveProperty('transaction');
  return (error as { transaction: TransactionFailure }).transaction;
}

describe('successful transactions', () => {
  it('applies create, setData, check and delete together, with typed results', async () => {
    await zk.create('/config', 'v0');
    await zk.create('/old');
    const results = await zk
      .transaction()
      .create('/jobs', 'new')
      .setData('/config', 'v1', { version: 0 })
      .check('/config', { version: 1 })
      .delete('/old', { version: 0 })
      .commit();

    expect(results).toHaveLength(4);
    const [created, updated, checked, deleted] = results;
    expect(created.type).toBe('create');
    expect(created.path).toBe('/jobs');
    // Before 3.8.2 the server answers a create inside multi without a Stat (ZOOKEEPER-4026):
    // the result says so rather than inventing one. From 3.8.2 on it carries the node's Stat.
    const statInMulti = versionAtLeast(await serverVersion(connectString()), [3, 8, 2]);
    if (statInMulti) expect(created.stat).toEqual((await zk.exists('/jobs'))!);
    else expect(created.stat).toBeUndefined();
    expect(updated).toMatchObject({ type: 'setData', stat: { version: 1, dataLength: 2 } });
    expect(checked).toEqual({ type: 'check' });
    expect(deleted).toEqual({ type: 'delete' });

    expect((await zk.getData('/jobs')).data.toString()).toBe('new');
    const config = await zk.getData('/config');
    expect(config.data.toString()).toBe('v1');
    expect(config.stat).toEqual(updated.stat);
    expect(await zk.exists('/old')).toBeNull();
  });

  it('sequential, ephemeral, container and TTL creates report their (stripped) paths', async () => {
    await zk.create('/q');
    const [seq, eph, box, ttl] = await zk
      .transaction()
      .create('/q/job-', '', { mode: 'persistent-sequential' })
      .create('/eph', '', { mode: 'ephemeral' })
      .create('/box', '', { mode: 'container' })
      .create('/ttl', '', { mode: 'persistent-ttl', ttl: 60_000 })
      .commit();
    expect(seq.path).toBe('/q/job-0000000000');
    expect(eph.path).toBe('/eph');
    expect(box.path).toBe('/box');
    expect(ttl.path).toBe('/ttl');
    // Container and TTL creates come back with a Stat even from 3.8.0.
    expect(box.stat?.ephemeralOwner).toBe(0n);
    expect(ttl.stat?.ephemeralOwner).toBe(0n);
    expect((await zk.exists('/eph'))?.ephemeralOwner).toBe(zk.sessionId);
    expect(await admin.exists(`${root}/q/job-0000000000`)).not.toBeNull();
  });

  it('later ops see earlier ones: create a parent and its child, then delete the child', async () => {
    const results = await zk
      .transaction()
      .create('/a')
      .create('/a/b', 'x')
      .check('/a/b')
      .setData('/a/b', 'y')
      .delete('/a/b')
      .commit();
    expect(results.map((r) => r.type)).toEqual(['create', 'create', 'check', 'setData', 'delete']);
    expect((await zk.getChildren('/a')).children).toEqual([]);
  });

  it('an empty transaction resolves [] without sending anything', async () => {
    const before = zk.stats;
    const transaction = zk.transaction();
    expect(transaction.size).toBe(0);
    await expect(transaction.commit()).resolves.toEqual([]);
    expect(zk.stats.framesSent).toBe(before.framesSent);
  });
});

describe('failing transactions', () => {
  it('a failing check in the middle rejects with its class and applies nothing', async () => {
    await zk.create('/config', 'v0');
    await zk.create('/doomed');
    const error = await rejectionOf(
      zk
        .transaction()
        .create('/new', 'x')
        .check('/config', { version: 7 })
        .setData('/config', 'v1')
        .delete('/doomed')
        .commit(),
    );
    expect(error).toBeInstanceOf(BadVersionError);
    expect(error).toMatchObject({ code: 'BADVERSION', zkCode: -103, path: '/config' });
    const { failedOpIndex, opErrors } = failureOf(error);
    expect(failedOpIndex).toBe(1);
    expect(opErrors).toHaveLength(4);
    expect(opErrors[0]).toBeNull();
    expect(opErrors[1]).toBeInstanceOf(BadVersionError);
    expect(opErrors[1]).toMatchObject({ code: 'BADVERSION', path: '/config' });
    // No cycle through opErrors: loggers can serialise it.
    expect(() => JSON.stringify(error)).not.toThrow();
    for (const [i, path] of [
      [2, '/config'],
      [3, '/doomed'],
    ] as const) {
      expect(opErrors[i]).toBeInstanceOf(RuntimeInconsistencyError);
      expect(opErrors[i]).toMatchObject({ code: 'RUNTIMEINCONSISTENCY', zkCode: -2, path });
    }

    expect(await zk.exists('/new')).toBeNull();
    const config = await zk.getData('/config');
    expect(config.data.toString()).toBe('v0');
    expect(config.stat.version).toBe(0);
    expect(await zk.exists('/doomed')).not.toBeNull();
  });

  it('a failing first op: NodeExistsError at index 0', async () => {
    await zk.create('/exists');
    const error = await rejectionOf(zk.transaction().create('/exists').create('/other').commit());
    expect(error).toBeInstanceOf(NodeExistsError);
    expect(error).toMatchObject({ path: '/exists' });
    const { failedOpIndex, opErrors } = failureOf(error);
    expect(failedOpIndex).toBe(0);
    expect(opErrors[1]).toBeInstanceOf(RuntimeInconsistencyError);
    expect(await zk.exists('/other')).toBeNull();
  });

  it('a failing last op: NoNodeError, and the creates before it are rolled back', async () => {
    const error = await rejectionOf(
      zk.transaction().create('/a').create('/a/b').delete('/missing').commit(),
    );
    expect(error).toBeInstanceOf(NoNodeError);
    expect(error).toMatchObject({ code: 'NONODE', path: '/missing' });
    const { failedOpIndex, opErrors } = failureOf(error);
    expect(failedOpIndex).toBe(2);
    expect(opErrors.slice(0, 2)).toEqual([null, null]);
    expect(await zk.exists('/a')).toBeNull();
  });

  it('reports NotEmpty and BadVersion on delete and setData', async () => {
    await zk.create('/p');
    await zk.create('/p/c');
    const notEmpty = await rejectionOf(zk.transaction().delete('/p').commit());
    expect(notEmpty).toBeInstanceOf(NotEmptyError);
    expect(failureOf(notEmpty).failedOpIndex).toBe(0);

    const badVersion = await rejectionOf(
      zk.transaction().setData('/p/c', 'x').setData('/p', 'y', { version: 5 }).commit(),
    );
    expect(badVersion).toBeInstanceOf(BadVersionError);
    expect(badVersion).toMatchObject({ path: '/p' });
    expect(failureOf(badVersion).failedOpIndex).toBe(1);
    expect((await zk.getData('/p/c')).stat.version).toBe(0);
  });

  it('check on a missing node fails with NoNodeError', async () => {
    const error = await rejectionOf(zk.transaction().check('/nothing').commit());
    expect(error).toBeInstanceOf(NoNodeError);
    expect(error).toMatchObject({ path: '/nothing' });
  });
});

describe('builder validation', () => {
  it('refuses invalid arguments at once, throwing InvalidArgumentError', () => {
    const transaction = zk.transaction();
    expect(() => transaction.create('no-slash')).toThrow(InvalidArgumentError);
    expect(() => transaction.delete('/a/')).toThrow(InvalidArgumentError);
    expect(() => transaction.setData('/a', 'x', { version: -2 })).toThrow(InvalidArgumentError);
    expect(() => transaction.check('/a//b')).toThrow(InvalidArgumentError);
    expect(() => transaction.create('/t', '', { mode: 'persistent-ttl' })).toThrow(
      InvalidArgumentError,
    );
    expect(transaction.size).toBe(0);
  });

  it('commit after close rejects with ClientClosedError', async () => {
    const transaction = zk.transaction().create('/late');
    await zk.close();
    const error = await rejectionOf(transaction.commit());
    expect(error).toBeInstanceOf(ClientClosedError);
    expect(error).toMatchObject({ code: 'CLIENT_CLOSED' });
    expect(await admin.exists(`${root}/late`)).toBeNull();
  });
});

import { beforeEach, describe, expect, it } from 'vitest';
import {
  ClientClosedError,
  InvalidArgumentError,
  NoNodeError,
  ZooKeeper,
} from '../../src/index.js';
import { rejectionOf } from '../support/poll.js';
import { clientsClosedAfterEach, uniqueRoot } from './helpers.js';

// multiRead, getEphemerals, getAllChildrenNumber and whoAmI on the real server, under a chroot
// where paths are involved: the chroot is applied to what is sent and stripped from what returns.

const open = clientsClosedAfterEach();
let admin: ZooKeeper;
let zk: ZooKeeper;
let root: string;

beforeEach(async () => {
  root = uniqueRoot('admin');
  admin = await open();
  await admin.create(root);
  zk = await open(root);
});

describe('multiRead', () => {
  it('answers each read in order, successes and NoNode errors mixed, under the chroot', async () => {
    await zk.create('/config', 'v1');
    await zk.create('/jobs');
    await zk.create('/jobs/a');
    await zk.create('/jobs/b');
    await zk.create('/empty');

    const [config, missingData, jobs, missingChildren, empty] = await zk
      .multiRead()
      .getData('/config')
      .getData('/missing')
      .getChildren('/jobs')
      .getChildren('/gone/deeper')
      .getData('/empty')
      .commit();

    expect(config.type).toBe('getData');
    if (config.type !== 'getData') throw new Error('unreachable');
    expect(config.data.toString()).toBe('v1');
    expect(config.stat).toEqual((await zk.getData('/config')).stat);

    expect(missingData.type).toBe('error');
    if (missingData.type !== 'error') throw new Error('unreachable');
    expect(missingData.error).toBeInstanceOf(NoNodeError);
    expect(missingData.error.path).toBe('/missing');

    expect(jobs).toEqual({ type: 'getChildren', children: expect.any(Array) as unknown });
    if (jobs.type !== 'getChildren') throw new Error('unreachable');
    expect([...jobs.children].sort()).toEqual(['a', 'b']);

    expect(missingChildren.type).toBe('error');
    if (missingChildren.type !== 'error') throw new Error('unreachable');
    expect(missingChildren.error).toBeInstanceOf(NoNodeError);
    expect(missingChildren.error.path).toBe('/gone/deeper');

    expect(empty.type).toBe('getData');
    if (empty.type !== 'getData') throw new Error('unreachable');
    expect(empty.data).toEqual(Buffer.alloc(0));
  });

  it('"/" reads the chroot node; the root-level client reads the same nodes by full path', async () => {
    await zk.create('/x', 'in chroot');
    const [top, x] = await zk.multiRead().getChildren('/').getData('/x').commit();
    expect(top).toEqual({ type: 'getChildren', children: ['x'] });
    expect(x.type === 'getData' && x.data.toString()).toBe('in chroot');

    const [seen] = await admin.multiRead().getData(`${root}/x`).commit();
    expect(seen.type === 'getData' && seen.data.toString()).toBe('in chroot');
  });

  it('an empty multiRead resolves to [] without a request', async () => {
    const before = zk.stats.framesSent;
    expect(await zk.multiRead().commit()).toEqual([]);
    expect(zk.stats.framesSent).toBe(before);
  });

  it('refuses an invalid path at once, and sends nothing', () => {
    const before = zk.stats.framesSent;
    const builder = zk.multiRead().getData('/ok');
    expect(() => builder.getData('relative')).toThrow(InvalidArgumentError);
    expect(() => builder.getChildren('/trailing/')).toThrow(InvalidArgumentError);
    expect(builder.size).toBe(1);
    expect(zk.stats.framesSent).toBe(before);
  });

  it('rejects with ClientClosedError after close', async () => {
    await zk.close();
    expect(await rejectionOf(zk.multiRead().getData('/x').commit())).toBeInstanceOf(
      ClientClosedError,
    );
  });
});

describe('getEphemerals', () => {
  it("lists this session's ephemerals under the chroot, stripped, by string prefix", async () => {
    await zk.create('/locks');
    const a = await zk.create('/locks/lock-', '', { mode: 'ephemeral-sequential' });
    const b = await zk.create('/locks/lock-', '', { mode: 'ephemeral-sequential' });
    await zk.create('/locks/other', '', { mode: 'ephemeral' });
    await zk.create('/e', '', { mode: 'ephemeral' });
    await zk.create('/persistent');
    // Another session's ephemeral, in our chroot and outside it: neither is ours.
    await admin.create(`${root}/theirs`, '', { mode: 'ephemeral' });
    await admin.create(`${root}-sibling`, '', { mode: 'ephemeral' });

    expect((await zk.getEphemerals()).sort()).toEqual(
      [a.path, b.path, '/e', '/locks/other'].sort(),
    );
    expect((await zk.getEphemerals('/locks/lock-')).sort()).toEqual([a.path, b.path].sort());
    expect((await zk.getEphemerals('/locks/')).sort()).toEqual(
      [a.path, b.path, '/locks/other'].sort(),
    );
    expect(await zk.getEphemerals('/nothing')).toEqual([]);
  });

  it('without a chroot, paths come back whole, and the prefix is matched on them', async () => {
    await admin.create(`${root}/mine`, '', { mode: 'ephemeral' });
    expect(await admin.getEphemerals(root)).toEqual([`${root}/mine`]);
    expect(await admin.getEphemerals()).toContain(`${root}/mine`);
    expect(await zk.getEphemerals()).toEqual([]);
  });

  it('refuses a prefix not starting with /, and sends nothing', async () => {
    const before = zk.stats.framesSent;
    expect(await rejectionOf(zk.getEphemerals('locks'))).toBeInstanceOf(InvalidArgumentError);
    expect(await rejectionOf(zk.getEphemerals(''))).toBeInstanceOf(InvalidArgumentError);
    expect(zk.stats.framesSent).toBe(before);
  });

  it('rejects with ClientClosedError after close', async () => {
    await zk.close();
    expect(await rejectionOf(zk.getEphemerals())).toBeInstanceOf(ClientClosedError);
  });
});

describe('getAllChildrenNumber', () => {
  it('counts every descendant of a subtree, not the node itself', async () => {
    await zk.create('/tree');
    await zk.create('/tree/a');
    await zk.create('/tree/a/x');
    await zk.create('/tree/a/x/y', '', { mode: 'ephemeral' });
    await zk.create('/tree/b');
    await zk.create('/tree-not-below');
    expect(await zk.getAllChildrenNumber('/tree')).toBe(4);
    expect(await zk.getAllChildrenNumber('/tree/a/x/y')).toBe(0);
    // "/" is the chroot node: everything in the chroot.
    expect(await zk.getAllChildrenNumber('/')).toBe(6);
    expect(await admin.getAllChildrenNumber(root)).toBe(6);
  });

  it("rejects with NoNodeError carrying the caller's path", async () => {
    const error = await rejectionOf(zk.getAllChildrenNumber('/missing'));
    expect(error).toBeInstanceOf(NoNodeError);
    expect((error as NoNodeError).path).toBe('/missing');
  });

  it('refuses an invalid path, and sends nothing', async () => {
    const before = zk.stats.framesSent;
    expect(await rejectionOf(zk.getAllChildrenNumber('tree'))).toBeInstanceOf(InvalidArgumentError);
    expect(await rejectionOf(zk.getAllChildrenNumber('/tree/'))).toBeInstanceOf(
      InvalidArgumentError,
    );
    expect(zk.stats.framesSent).toBe(before);
  });

  it('rejects with ClientClosedError after close', async () => {
    await zk.close();
    expect(await rejectionOf(zk.getAllChildrenNumber('/'))).toBeInstanceOf(ClientClosedError);
  });
});

describe('whoAmI', () => {
  it('shows the ip identity of the connection', async () => {
    expect(await zk.whoAmI()).toEqual([{ scheme: 'ip', id: '127.0.0.1' }]);
  });

  it('rejects with ClientClosedError after close', async () => {
    await zk.close();
    expect(await rejectionOf(zk.whoAmI())).toBeInstanceOf(ClientClosedError);
  });
});

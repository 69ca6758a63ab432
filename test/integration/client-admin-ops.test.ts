import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  ClientClosedError,
  InvalidArgumentError,
  NoNodeError,
  ZooKeeper,
} from '../../src/index.js';
import { connectString, uniqueRoot } from './helpers.js';

// multiRead, getEphemerals, getAllChildrenNumber and whoAmI on the real server, under a chroot
// where paths are involved: the chroot is applied to what is sent and stripped from what returns.

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
  root = uniqueRoot('admin');
  admin = await open();
  await admin.create(root);
  zk = await open(root);
});

afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.close()));
});

async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the promise to reject, but it resolved');
}

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

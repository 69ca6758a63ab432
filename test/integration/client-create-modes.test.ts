import { beforeEach, describe, expect, it } from 'vitest';
import { CreateMode, InvalidArgumentError, ZooKeeper } from '../../src/index.js';
import type { CreateOptions } from '../../src/index.js';
import { rejectionOf } from '../support/poll.js';
import { clientsClosedAfterEach, uniqueRoot } from './helpers.js';

// The seven create modes on a real server that runs with extendedTypesEnabled=true and
// znode.container.checkIntervalMs=200, so containers and TTL nodes are reaped within about a second.

const MAX_TTL = 2 ** 40 - 1;

const open = clientsClosedAfterEach();
let zk: ZooKeeper;
let root: string;

beforeEach(async () => {
  root = uniqueRoot('modes');
  await (await open()).create(root);
  zk = await open(root);
});

/** Polls until `path` is gone; fails after a bound that is generous next to the 200 ms reaper. */
async function waitUntilGone(client: ZooKeeper, path: string): Promise<void> {
  for (let attempt = 0; attempt < 150; attempt++) {
    if ((await client.exists(path)) === null) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${path} was still there after ~15 s of polling`);
}

const SEQ = /^\d{10}$/;

describe('classic modes', () => {
  it('persistent: ephemeralOwner 0, and the node outlives the session', async () => {
    const { path, stat } = await zk.create('/p', 'x', { mode: CreateMode.PERSISTENT });
    expect(path).toBe('/p');
    expect(stat.ephemeralOwner).toBe(0n);
    await zk.close();
    const other = await open(root);
    expect(await other.exists('/p')).not.toBeNull();
  });

  it('ephemeral: ephemeralOwner is our session id', async () => {
    expect(zk.sessionId).not.toBe(0n);
    const { path, stat } = await zk.create('/e', 'x', { mode: 'ephemeral' });
    expect(path).toBe('/e');
    expect(stat.ephemeralOwner).toBe(zk.sessionId);
    expect((await zk.exists('/e'))?.ephemeralOwner).toBe(zk.sessionId);
  });

  it('persistent-sequential: 10-digit suffixes from 0000000000, increasing', async () => {
    await zk.create('/q');
    const names: string[] = [];
    for (let i = 0; i < 3; i++) {
      const { path, stat } = await zk.create('/q/job-', `${i}`, { mode: 'persistent-sequential' });
      expect(stat.ephemeralOwner).toBe(0n);
      names.push(path);
    }
    expect(names).toEqual(['/q/job-0000000000', '/q/job-0000000001', '/q/job-0000000002']);

    // Every child create advances the parent's counter, sequential or not; deletes do not.
    await zk.create('/q/plain');
    await zk.delete('/q/job-0000000002');
    const next = await zk.create('/q/job-', '', { mode: 'persistent-sequential' });
    expect(next.path).toBe('/q/job-0000000004');
    expect((await zk.getData(next.path)).stat).toEqual(next.stat);
  });

  it('a sequential prefix may end with "/": the name is the suffix alone', async () => {
    await zk.create('/parent');
    const first = await zk.create('/parent/', 'a', { mode: 'persistent-sequential' });
    const second = await zk.create('/parent/', 'b', { mode: 'ephemeral-sequential' });
    expect(first.path).toBe('/parent/0000000000');
    expect(second.path).toBe('/parent/0000000001');
    expect([...(await zk.getChildren('/parent')).children].sort()).toEqual([
      '0000000000',
      '0000000001',
    ]);
    // Not for the other modes: "/parent/" is no valid node path.
    expect(await rejectionOf(zk.create('/parent/', 'c'))).toBeInstanceOf(InvalidArgumentError);
  });

  it('ephemeral-sequential: sequential name and our session as owner', async () => {
    await zk.create('/locks');
    const a = await zk.create('/locks/lock-', '', { mode: 'ephemeral-sequential' });
    const b = await zk.create('/locks/lock-', '', { mode: 'ephemeral-sequential' });
    for (const created of [a, b]) {
      expect(created.path).toMatch(/^\/locks\/lock-\d{10}$/);
      expect(created.stat.ephemeralOwner).toBe(zk.sessionId);
    }
    const suffix = (p: string): number => Number(p.slice(-10));
    expect(suffix(b.path)).toBeGreaterThan(suffix(a.path));
    expect(a.path.slice(-10)).toMatch(SEQ);
  });
});

describe('container', () => {
  it('is reaped once its last child is deleted; a never-used container is kept', async () => {
    const idle = await zk.create('/idle', '', { mode: 'container' });
    expect(idle.stat.ephemeralOwner).toBe(0n);
    const box = await zk.create('/box', 'meta', { mode: 'container' });
    expect(box.path).toBe('/box');
    expect(box.stat.ephemeralOwner).toBe(0n);
    await zk.create('/box/a');
    await zk.create('/box/b');
    await zk.delete('/box/a');
    await zk.delete('/box/b');
    await waitUntilGone(zk, '/box');
    // The pass that reaped /box also saw /idle, which never had a child.
    expect(await zk.exists('/idle')).not.toBeNull();
  });

  it('is not reaped while it has a child', async () => {
    await zk.create('/box', '', { mode: 'container' });
    await zk.create('/box/keep');
    await zk.create('/marker', '', { mode: 'container' });
    await zk.create('/marker/x');
    await zk.delete('/marker/x');
    await waitUntilGone(zk, '/marker');
    expect((await zk.getChildren('/box')).children).toEqual(['keep']);
  });
});

describe('TTL modes', () => {
  it('persistent-ttl: reaped after its ttl; a node with the maximum ttl is kept', async () => {
    const forever = await zk.create('/forever', '', { mode: 'persistent-ttl', ttl: MAX_TTL });
    expect(forever.stat.ephemeralOwner).toBe(0n);
    const short = await zk.create('/short', 'x', {
      mode: CreateMode.PERSISTENT_WITH_TTL,
      ttl: 1,
    });
    expect(short.path).toBe('/short');
    expect(short.stat.ephemeralOwner).toBe(0n);
    expect(short.stat.dataLength).toBe(1);
    await waitUntilGone(zk, '/short');
    expect(await zk.exists('/forever')).not.toBeNull();
  });

  it('persistent-sequential-ttl: sequential name, reaped after its ttl', async () => {
    await zk.create('/t');
    const { path, stat } = await zk.create('/t/n-', 'x', {
      mode: 'persistent-sequential-ttl',
      ttl: 50,
    });
    expect(path).toBe('/t/n-0000000000');
    expect(stat.ephemeralOwner).toBe(0n);
    await waitUntilGone(zk, path);
  });

  it('a TTL node with a child is not reaped while the child is there', async () => {
    await zk.create('/ttl', '', { mode: 'persistent-ttl', ttl: 1 });
    await zk.create('/ttl/child');
    await zk.create('/gone', '', { mode: 'persistent-ttl', ttl: 1 });
    await waitUntilGone(zk, '/gone');
    expect(await zk.exists('/ttl')).not.toBeNull();
    await zk.delete('/ttl/child');
    await waitUntilGone(zk, '/ttl');
  });
});

describe('create validation (nothing sent)', () => {
  const refused: [string, CreateOptions][] = [
    ['persistent-ttl without ttl', { mode: 'persistent-ttl' }],
    ['persistent-ttl with ttl 0', { mode: 'persistent-ttl', ttl: 0 }],
    ['persistent-ttl with a negative ttl', { mode: 'persistent-ttl', ttl: -5 }],
    ['persistent-ttl with a fractional ttl', { mode: 'persistent-ttl', ttl: 1.5 }],
    ['persistent-ttl with ttl 2^40', { mode: 'persistent-ttl', ttl: MAX_TTL + 1 }],
    ['persistent-ttl with ttl NaN', { mode: 'persistent-ttl', ttl: Number.NaN }],
    ['persistent-sequential-ttl without ttl', { mode: 'persistent-sequential-ttl' }],
    ['persistent with a ttl', { mode: 'persistent', ttl: 1000 }],
    ['no mode (persistent) with a ttl', { ttl: 1000 }],
    ['ephemeral with a ttl', { mode: 'ephemeral', ttl: 1000 }],
    ['persistent-sequential with a ttl', { mode: 'persistent-sequential', ttl: 1000 }],
    ['container with a ttl', { mode: 'container', ttl: 1000 }],
    ['an unknown mode', { mode: 'durable' as unknown as CreateMode }],
  ];

  it.each(refused)('%s → InvalidArgumentError', async (_name, options) => {
    const before = zk.stats;
    const error = await rejectionOf(zk.create('/n', 'x', options));
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect(error).toMatchObject({ code: 'INVALID_ARGUMENT' });
    expect(zk.stats.framesSent).toBe(before.framesSent);
    expect(await zk.exists('/n')).toBeNull();
  });
});

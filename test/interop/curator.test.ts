import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NoNodeError, ZooKeeper } from '../../src/index.js';
import { Mutex } from '../../src/recipes/index.js';
import { ZooKeeperServer } from '../../src/testing/index.js';
import { contend, expectExclusive, expectWithin } from './holds.js';
import type { Hold } from './holds.js';
import { findCurator, Peers, required, skipWithoutPeers } from './peers.js';

/**
 * zkcoord and a real Curator 5 (Debian's libcurator-recipes-java, CuratorLocker.java compiled
 * here) contending on one lock path. zkcoord's side runs in this process, one ZooKeeper session
 * per contender: to the server and to Curator each session is a separate contender.
 */
const curator = await findCurator();
const ITERATIONS = 15;

describe.skipIf(skipWithoutPeers([curator], 'Curator interop'))('zkcoord and Curator', () => {
  let server: ZooKeeperServer | undefined;
  let peers: Peers | undefined;
  let admin: ZooKeeper;
  const clients: ZooKeeper[] = [];
  let paths = 0;

  beforeAll(async () => {
    const install = required(curator);
    // fsync off: each hold writes, and the check is about order, not durability.
    [server, peers] = await Promise.all([
      ZooKeeperServer.start({ config: { forceSync: 'no' } }),
      Peers.prepare({ curator: install }),
    ]);
    admin = await client();
  });

  afterAll(async () => {
    await Promise.all(clients.map((zk) => zk.close()));
    await peers?.dispose();
    await server?.stop();
  });

  async function client(): Promise<ZooKeeper> {
    const zk = await ZooKeeper.connect(server!.connectString, { sessionTimeout: 10_000 });
    clients.push(zk);
    return zk;
  }

  /** A fresh lock path and its counter, set to 0. */
  async function fresh(name: string): Promise<{ lockPath: string; counterPath: string }> {
    const base = `/${name}-${++paths}`;
    await admin.create(base);
    await admin.create(`${base}/counter`, '0');
    return { lockPath: `${base}/lock`, counterPath: `${base}/counter` };
  }

  async function counter(path: string): Promise<number> {
    return Number((await admin.getData(path)).data.toString());
  }

  it('InterProcessMutex: 2 Curator processes and 2 zkcoord sessions exclude each other, in queue order', async () => {
    const { lockPath, counterPath } = await fresh('mutex');
    const connect = server!.connectString;
    const javas = [0, 1].map(() =>
      peers!.curatorLocker({
        connect,
        lockPath,
        mode: 'mutex',
        iterations: ITERATIONS,
        counterPath,
      }),
    );
    const zks = await Promise.all([client(), client()]);
    await Promise.all(javas.map((peer) => peer.ready()));
    const began = process.hrtime.bigint();
    for (const peer of javas) peer.go();
    const ours = zks.map((zk, i) => {
      const mutex = new Mutex(zk, lockPath, { id: `zkcoord-${i}` });
      return contend(
        { zk, who: `zkcoord-${i}`, write: true, acquire: () => mutex.acquire() },
        ITERATIONS,
        counterPath,
      );
    });
    const theirs = await Promise.all(javas.map((peer) => peer.finished()));
    const holds = [...(await Promise.all(ours)).flat(), ...theirs.flat()];
    const took = Number(process.hrtime.bigint() - began) / 1e6;

    javas.forEach((peer, i) => {
      expectWithin(theirs[i]!, peer.spawnedAt, peer.exitedAt);
    });
    expect(holds).toHaveLength(4 * ITERATIONS);
    expectExclusive(holds, await counter(counterPath));
    // The contenders really took turns: the lock changed hands between libraries many times.
    const crossings = libraryChanges(holds);
    expect(crossings).toBeGreaterThan(ITERATIONS);
    // Curator's nodes have our layout: zkcoord sees them as ordinary contenders.
    expect(theirs.flat().every((hold) => /^_c_[0-9a-f-]{36}-lock-\d{10}$/.test(hold.node))).toBe(
      true,
    );
    expect(await children(admin, lockPath)).toEqual([]);
    console.info(
      `Curator mutex: ${holds.length} holds, ${crossings} hand-offs between libraries, ${took.toFixed(0)} ms`,
    );
  });

  it('InterProcessMutex: a Curator waiter queued before a zkcoord waiter gets the lock first, and after it when it queues again', async () => {
    const { lockPath, counterPath } = await fresh('order');
    const [a, b] = await Promise.all([client(), client()]);
    const mutexA = new Mutex(a, lockPath, { id: 'zkcoord-a' });
    const first = await mutexA.acquire();
    const java = peers!.curatorLocker({
      connect: server!.connectString,
      lockPath,
      mode: 'mutex',
      iterations: 2,
      counterPath,
    });
    await java.ready();
    java.go();
    await waitFor(async () => (await mutexA.participants()).length === 2);
    const mutexB = new Mutex(b, lockPath, { id: 'zkcoord-b' });
    let bAcquiredAt: bigint | undefined;
    const second = mutexB.acquire().then((lease) => {
      bAcquiredAt = process.hrtime.bigint();
      return lease;
    });
    await waitFor(async () => (await mutexA.participants()).length === 3);
    const queue = (await mutexA.participants()).map((entry) => entry.path);

    await first.release();
    const lease = await second;
    // Hold long enough that Curator's second request is queued behind us, not just fast.
    await waitFor(async () => (await mutexB.participants()).length === 2);
    await lease.release();
    const [h1, h2] = (await java.finished()).sort((x, y) => (x.start < y.start ? -1 : 1));

    // zkcoord saw the queue as A, Curator, B: Curator's node sorted among ours by its sequence.
    expect(queue).toEqual([first.path, `${lockPath}/${h1!.node}`, lease.path]);
    expect(h1!.end).toBeLessThan(bAcquiredAt!);
    expect(bAcquiredAt!).toBeLessThan(h2!.start);
  });
});

/** The lock's nodes left; none once the parent container was reaped (200 ms in the harness). */
async function children(zk: ZooKeeper, path: string): Promise<string[]> {
  try {
    return (await zk.getChildren(path)).children;
  } catch (error) {
    if (error instanceof NoNodeError) return [];
    throw error;
  }
}

/** How many times consecutive holders (by start) came from different libraries. */
function libraryChanges(holds: readonly Hold[]): number {
  const byStart = [...holds].sort((x, y) => (x.start < y.start ? -1 : 1));
  return byStart.filter((hold, i) => i > 0 && hold.lib !== byStart[i - 1]!.lib).length;
}

async function waitFor(condition: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

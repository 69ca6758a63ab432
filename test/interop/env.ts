import { NoNodeError, ZooKeeper } from '../../src/index.js';
import { ZooKeeperServer } from '../../src/testing/index.js';
import { expectWithin } from './holds.js';
import type { Hold } from './holds.js';
import { Peers } from './peers.js';
import type { CuratorInstall, Peer } from './peers.js';

/**
 * One interop test file's world: a real ZooKeeper of its own, the peers ready to start, and
 * zkcoord sessions on it. zkcoord's side runs in the test process, one session per contender:
 * to the server and to the other libraries, each session is a separate contender.
 */
export class InteropEnv {
  private readonly clients: ZooKeeper[] = [];
  private paths = 0;

  private constructor(
    readonly server: ZooKeeperServer,
    readonly peers: Peers,
    readonly admin: ZooKeeper,
  ) {}

  static async start(options: {
    curator?: CuratorInstall;
    kazoo?: { readonly python: string };
  }): Promise<InteropEnv> {
    // fsync off: each hold writes, and the check is about order, not durability.
    const [server, peers] = await Promise.all([
      ZooKeeperServer.start({ config: { forceSync: 'no' } }),
      Peers.prepare(options),
    ]);
    const admin = await ZooKeeper.connect(server.connectString);
    const env = new InteropEnv(server, peers, admin);
    env.clients.push(admin);
    return env;
  }

  get connect(): string {
    return this.server.connectString;
  }

  /** A zkcoord session: a contender of its own. */
  async client(): Promise<ZooKeeper> {
    const zk = await ZooKeeper.connect(this.connect, { sessionTimeout: 10_000 });
    this.clients.push(zk);
    return zk;
  }

  /** A fresh lock path and its counter, set to 0, plus what a peer needs to find them. */
  async fresh(name: string): Promise<{ connect: string; lockPath: string; counterPath: string }> {
    const base = `/${name}-${++this.paths}`;
    await this.admin.create(base);
    await this.admin.create(`${base}/counter`, '0');
    return { connect: this.connect, lockPath: `${base}/lock`, counterPath: `${base}/counter` };
  }

  async counter(path: string): Promise<number> {
    return Number((await this.admin.getData(path)).data.toString());
  }

  /** The lock's nodes left; none once its container was reaped (200 ms in the harness). */
  async children(path: string): Promise<string[]> {
    try {
      return (await this.admin.getChildren(path)).children;
    } catch (error) {
      if (error instanceof NoNodeError) return [];
      throw error;
    }
  }

  async stop(): Promise<void> {
    await Promise.all(this.clients.map((zk) => zk.close()));
    await this.peers.dispose();
    await this.server.stop();
  }
}

export interface MixedRun {
  /** Every hold, zkcoord's and the peers'. */
  readonly holds: Hold[];
  /** The peers' holds, one list per peer. */
  readonly theirs: Hold[][];
  readonly tookMs: number;
}

/**
 * Starts peers and zkcoord contenders together: waits until every peer is connected (a JVM takes
 * a second; zkcoord alone would be done by then), releases them all at once, collects the holds,
 * and checks that each peer's holds lie within its lifetime on our clock.
 */
export async function runTogether(
  peers: readonly Peer[],
  ours: readonly (() => Promise<Hold[]>)[],
): Promise<MixedRun> {
  await Promise.all(peers.map((peer) => peer.ready()));
  const began = process.hrtime.bigint();
  for (const peer of peers) peer.go();
  const running = ours.map((run) => run());
  const theirs = await Promise.all(peers.map((peer) => peer.finished()));
  const holds = [...(await Promise.all(running)).flat(), ...theirs.flat()];
  const tookMs = Number(process.hrtime.bigint() - began) / 1e6;
  peers.forEach((peer, i) => {
    expectWithin(theirs[i]!, peer.spawnedAt, peer.exitedAt);
  });
  return { holds, theirs, tookMs };
}

/** How many times consecutive holders (by start) came from different libraries. */
export function libraryChanges(holds: readonly Hold[]): number {
  const byStart = [...holds].sort((x, y) => (x.start < y.start ? -1 : 1));
  return byStart.filter((hold, i) => i > 0 && hold.lib !== byStart[i - 1]!.lib).length;
}

/** `until`'s options for a wait on the queue: a peer's JVM may still be starting on a busy machine. */
export const QUEUEING = { timeoutMs: 30_000 } as const;

/** Resolves with the lease, noting on CLOCK_MONOTONIC when it was granted. */
export function timed<T>(acquiring: Promise<T>): Promise<{ lease: T; at: bigint }> {
  return acquiring.then((lease) => ({ lease, at: process.hrtime.bigint() }));
}

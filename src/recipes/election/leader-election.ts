import { hostname } from 'node:os';
import type { Stat, ZooKeeper } from '../../client/index.js';
import { validatePath } from '../../client/index.js';
import type { AcquireOptions } from '../coordination/give-up.js';
import type { LostOn } from '../coordination/hold-policy.js';
import { describeQueue } from '../lock-core/introspection.js';
import type { QueueEntry } from '../lock-core/introspection.js';
import type { LockDriver } from '../lock-core/lock-driver.js';
import { QueueLock } from '../lock-core/queue-lock.js';
import { Leadership } from './leadership.js';

/** Curator's LeaderLatch node name: `<path>/_c_<uuid>-latch-<seq>`. */
const LATCH_NAME = 'latch-';

/** The lowest latch node leads; every other candidate waits for the node just ahead of it. */
const latchDriver: LockDriver = {
  nodeName: LATCH_NAME,
  markers: [LATCH_NAME],
  blocker: (queue, ourIndex) => (ourIndex === 0 ? undefined : queue[ourIndex - 1]?.name),
};

export interface LeaderElectionOptions {
  /** Written as our node's data (UTF-8), as Curator's LeaderLatch writes its id; default `host:pid`. */
  readonly id?: string;
  /** When `leadership.signal` aborts: `'suspended'` (default, the safe choice) or only on `'lost'`. */
  readonly lostOn?: LostOn;
}

/** A candidate of an election, as its latch node says. */
export interface Candidate {
  /** The candidate's id: its node's data as UTF-8. */
  readonly id: string;
  readonly data: Buffer;
  /** The czxid of its node: the epoch it leads (or will lead) with. */
  readonly epoch: bigint;
  /** The session that owns its node. */
  readonly sessionId: bigint;
  readonly path: string;
  readonly stat: Stat;
}

/**
 * Leader election in the layout of Curator's LeaderLatch: each candidate creates an
 * ephemeral-sequential `<path>/_c_<uuid>-latch-<seq>` holding its id; the lowest leads, and each
 * other candidate watches only the node just ahead of it (no herd). So zkcoord and Curator
 * candidates on one path elect one leader among them. Built on the lock core: the wait, the
 * protected create and the trust rules are the Mutex's (docs/recipes/leader-election.md).
 *
 * ```ts
 * const election = new LeaderElection(zk, '/services/billing/leader', { id: 'billing-7' });
 * await using leadership = await election.campaign({ signal });
 * await runBilling({ epoch: leadership.epoch, signal: leadership.signal });
 * ```
 */
export class LeaderElection {
  readonly id: string;
  private readonly latch: QueueLock;

  constructor(
    private readonly zk: ZooKeeper,
    readonly path: string,
    options: LeaderElectionOptions = {},
  ) {
    validatePath(path);
    this.id = options.id ?? `${hostname()}:${process.pid}`;
    this.latch = new QueueLock(zk, path, latchDriver, {
      ...(options.lostOn === undefined ? {} : { lostOn: options.lostOn }),
      data: Buffer.from(this.id, 'utf8'),
    });
  }

  /**
   * Joins the election and resolves when we lead. Rejects as a lock's `acquire` does
   * (LockTimeoutError, the signal's reason, SessionExpiredError, ClientClosedError, …); our node
   * is removed in every such case.
   */
  async campaign(options: AcquireOptions = {}): Promise<Leadership> {
    return new Leadership(await this.latch.acquire(options));
  }

  /** The leader now, from one listing and one read each; undefined when nobody campaigns. */
  async leader(): Promise<Candidate | undefined> {
    return (await this.participants())[0];
  }

  /** Every candidate, leader first, in the order they would lead. */
  async participants(): Promise<Candidate[]> {
    const queue = await describeQueue(this.zk, this.path, latchDriver);
    return queue.map(candidateOf);
  }
}

function candidateOf(entry: QueueEntry): Candidate {
  return {
    id: entry.data.toString('utf8'),
    data: entry.data,
    epoch: entry.stat.czxid,
    sessionId: entry.stat.ephemeralOwner,
    path: entry.path,
    stat: entry.stat,
  };
}

import { hostname } from 'node:os';
import type { Stat, ZooKeeper } from '../../client/index.js';
import { validatePath } from '../../client/index.js';
import { readThrough } from '../coordination/connection-trouble.js';
import { GiveUp, validateTimeout } from '../coordination/give-up.js';
import type { AcquireOptions } from '../coordination/give-up.js';
import { validateLostOn } from '../coordination/hold-policy.js';
import type { LostOn } from '../coordination/hold-policy.js';
import { LeadershipLostError } from '../coordination/errors.js';
import { describeQueue } from '../lock-core/introspection.js';
import type { QueueEntry } from '../lock-core/introspection.js';
import type { LockDriver } from '../lock-core/lock-driver.js';
import { Lease } from '../lock-core/node-lease.js';
import type { LeaseNode } from '../lock-core/node-lease.js';
import { QueueLock } from '../lock-core/queue-lock.js';
import { Leadership } from './leadership.js';
import { followLeader } from './observe-leader.js';
import { runWhileLeading } from './run-while-leading.js';
import type { RunOptions } from './run-while-leading.js';

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
  private readonly lostOn: LostOn;
  /**
   * Our node, when a leadership ended only because the session could not be trusted for a while
   * (suspended, unconfirmed): the session may come back with it, still at the head of the queue.
   */
  private kept: LeaseNode | undefined;

  constructor(
    private readonly zk: ZooKeeper,
    readonly path: string,
    options: LeaderElectionOptions = {},
  ) {
    validatePath(path);
    this.id = options.id ?? `${hostname()}:${process.pid}`;
    this.lostOn = validateLostOn(options.lostOn);
    this.latch = new QueueLock(zk, path, latchDriver, {
      lostOn: this.lostOn,
      data: Buffer.from(this.id, 'utf8'),
    });
  }

  /**
   * Joins the election and resolves when we lead. Rejects as a lock's `acquire` does
   * (LockTimeoutError, the signal's reason, SessionExpiredError, ClientClosedError, …); our node
   * is removed in every such case.
   *
   * After a leadership that ended with the session untrusted for a while (`'suspended'`,
   * `'unconfirmed'`), the same session still owns our node, which still heads the queue (nodes
   * ahead of ours can only go, never come): then the lead resumes at once, on the same node and
   * epoch, as Curator's LeaderLatch does. After the session's loss, a new node queues.
   */
  async campaign(options: AcquireOptions = {}): Promise<Leadership> {
    validateTimeout(options.timeout);
    const resumed = await this.resume(options);
    return this.track(resumed ?? new Leadership(await this.latch.acquire(options)));
  }

  /**
   * Runs `fn` whenever we lead, resigning when it returns: see runWhileLeading. With `requeue`
   * it campaigns again after each run; after a suspension with the same session it runs `fn`
   * again on our node at once. Resolves when done or when `signal` aborts.
   */
  run(
    fn: (leadership: Leadership) => Promise<void> | void,
    options: RunOptions = {},
  ): Promise<void> {
    return runWhileLeading(
      {
        campaign: (campaign) => this.campaign(campaign),
        resumeAfterSuspension: async (resume) => {
          const resumed = await this.resume(resume);
          return resumed === undefined ? undefined : this.track(resumed);
        },
      },
      fn,
      options,
    );
  }

  /** The leadership on our kept node, when this session still owns it; else undefined. */
  private async resume(options: AcquireOptions): Promise<Leadership | undefined> {
    const kept = this.kept;
    this.kept = undefined;
    if (kept === undefined || this.zk.sessionId !== kept.stat.ephemeralOwner) return undefined;
    const give = new GiveUp(this.zk, this.path, options);
    try {
      const stat = await readThrough(give, () => this.zk.exists(kept.path));
      const ours = stat?.ephemeralOwner === kept.stat.ephemeralOwner;
      if (!ours || stat.czxid !== kept.stat.czxid) return undefined;
      return new Leadership(new Lease(this.zk, kept, this.lostOn));
    } finally {
      give.dispose();
    }
  }

  /** Keeps our node when the lead ends with the session only untrusted, to resume on it. */
  private track(leadership: Leadership): Leadership {
    leadership.signal.addEventListener(
      'abort',
      () => {
        const reason: unknown = leadership.signal.reason;
        const cause = reason instanceof LeadershipLostError ? reason.lossCause : undefined;
        if (cause === 'suspended' || cause === 'unconfirmed') {
          this.kept = {
            path: leadership.path,
            stat: { czxid: leadership.epoch, ephemeralOwner: leadership.sessionId },
          };
        }
      },
      { once: true },
    );
    return leadership;
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

  /**
   * The leader now, then every change of leader (undefined while there is none), until `signal`
   * aborts. Watch-driven: it watches only the leader's node (the children only while nobody
   * campaigns), so a change costs two requests, however many candidates wait. Survives
   * reconnects; rejects with ClientClosedError when the client closes.
   */
  observe(
    options: { readonly signal?: AbortSignal } = {},
  ): AsyncGenerator<Candidate | undefined, void, undefined> {
    return followLeader(this.zk, this.path, [LATCH_NAME], candidateOf, options.signal);
  }
}

function candidateOf(node: Pick<QueueEntry, 'path' | 'data' | 'stat'>): Candidate {
  return {
    id: node.data.toString('utf8'),
    data: node.data,
    epoch: node.stat.czxid,
    sessionId: node.stat.ephemeralOwner,
    path: node.path,
    stat: node.stat,
  };
}

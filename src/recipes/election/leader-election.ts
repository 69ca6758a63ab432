import { hostname } from 'node:os';
import type { Stat, ZooKeeper } from '../../client/index.js';
import { validatePath } from '../../client/index.js';
import { readThrough } from '../coordination/connection-trouble.js';
import { GiveUp, validateTimeout } from '../coordination/give-up.js';
import type { AcquireOptions } from '../coordination/give-up.js';
import { validateLostOn } from '../coordination/hold-policy.js';
import type { LostOn } from '../coordination/hold-policy.js';
import { deleteUntilGone } from '../coordination/delete-owned.js';
import { LeadershipLostError } from '../coordination/errors.js';
import { untilConnected } from '../coordination/session-waits.js';
import { describeQueue } from '../lock-core/introspection.js';
import type { QueueEntry } from '../lock-core/introspection.js';
import type { LockDriver } from '../lock-core/lock-driver.js';
import { Lease } from '../lock-core/node-lease.js';
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
  private kept: Leadership | undefined;

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
   * ahead of ours can only go, never come): then the lead resumes on it, same node and epoch, as
   * Curator's LeaderLatch does, once the session is trusted again. After the session's loss, or
   * `resign()`, a new node queues.
   */
  async campaign(options: AcquireOptions = {}): Promise<Leadership> {
    validateTimeout(options.timeout);
    const left = remainingOf(options);
    for (;;) {
      const resumed = await this.resumeLead(left());
      if (resumed !== undefined) return resumed;
      const leadership = this.track(new Leadership(await this.latch.acquire(left())));
      if (!leadership.signal.aborted) return leadership;
      // Born untrusted (a read-only server, a deadline just passed): kept, resumed once trusted.
      if (this.kept !== leadership) throw leadership.signal.reason;
      await this.nextState(left());
    }
  }

  /**
   * Runs `fn` whenever we lead, resigning when it returns: see runWhileLeading. With `requeue`
   * it campaigns again after each run; after a suspension with the same session it runs `fn`
   * again on our node. Resolves when done or when `signal` aborts.
   */
  run(
    fn: (leadership: Leadership) => Promise<void> | void,
    options: RunOptions = {},
  ): Promise<void> {
    return runWhileLeading(
      {
        campaign: (campaign) => this.campaign(campaign),
        resumeAfterSuspension: (resume) => this.resumeLead(resume),
        nextSession: (signal) => untilConnected(this.zk, signal),
      },
      fn,
      options,
    );
  }

  /** The lead resumed on our kept node, once trusted; undefined when there is none to resume. */
  private async resumeLead(options: AcquireOptions): Promise<Leadership | undefined> {
    const left = remainingOf(options);
    for (;;) {
      const resumed = await this.resume(left());
      if (resumed === undefined) return undefined;
      const leadership = this.track(resumed);
      if (!leadership.signal.aborted) return leadership;
      if (this.kept !== leadership) return undefined;
      await this.nextState(left());
    }
  }

  /** A leadership on our kept node if this session still owns it there; else undefined. */
  private async resume(options: AcquireOptions): Promise<Leadership | undefined> {
    const kept = this.kept;
    if (kept === undefined) return undefined;
    if (kept.resigning() || this.zk.sessionId !== kept.sessionId) {
      this.kept = undefined;
      return undefined;
    }
    const give = new GiveUp(this.zk, this.path, options);
    try {
      // A server behind the leader could still show a node an operator deleted.
      await readThrough(give, () => this.zk.sync(kept.path));
      const stat = await readThrough(give, () => this.zk.exists(kept.path));
      // Resigned meanwhile, or another campaign() of ours took it: not ours to resume.
      if (!this.keeps(kept) || kept.resigning()) return undefined;
      this.kept = undefined;
      if (stat?.ephemeralOwner !== kept.sessionId || stat.czxid !== kept.epoch) return undefined;
      kept.supersede();
      return new Leadership(new Lease(this.zk, { path: kept.path, stat }, this.lostOn));
    } catch (error) {
      // Given up (timeout, abort, the session's end): nobody will resume on our node now, so it
      // must not stay at the head of the queue (a no-op when the session is gone).
      if (this.kept === kept) {
        this.kept = undefined;
        void deleteUntilGone(this.zk, kept.path, kept.sessionId).catch(() => undefined);
      }
      throw error;
    } finally {
      give.dispose();
    }
  }

  /** A call, so that TypeScript reads `kept` afresh after an await. */
  private keeps(leadership: Leadership): boolean {
    return this.kept === leadership;
  }

  /** Keeps a leadership that ended with the session only untrusted, to resume on its node. */
  private track(leadership: Leadership): Leadership {
    const onEnd = (): void => {
      const reason: unknown = leadership.signal.reason;
      const cause = reason instanceof LeadershipLostError ? reason.lossCause : undefined;
      const untrusted = cause === 'suspended' || cause === 'unconfirmed';
      if (untrusted && !leadership.resigning()) this.kept = leadership;
    };
    if (leadership.signal.aborted) onEnd();
    else leadership.signal.addEventListener('abort', onEnd, { once: true });
    return leadership;
  }

  /** Waits for the client's next state change, within the caller's timeout and signal. */
  private async nextState(options: AcquireOptions): Promise<void> {
    const give = new GiveUp(this.zk, this.path, options);
    let stop = (): void => undefined;
    try {
      await give.race(
        new Promise<void>((resolve) => {
          stop = this.zk.observeState(() => {
            resolve();
          });
        }),
      );
    } finally {
      stop();
      give.dispose();
    }
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

/** The caller's options with what is left of its timeout, read afresh at each call. */
function remainingOf(options: AcquireOptions): () => AcquireOptions {
  const { timeout, signal } = options;
  const base = signal === undefined ? {} : { signal };
  if (timeout === undefined) return () => base;
  const deadline = performance.now() + timeout;
  return () => ({ ...base, timeout: Math.max(0, deadline - performance.now()) });
}

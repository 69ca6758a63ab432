import type { CheckOpResult, Transaction } from '../../client/index.js';
import { LeaseLostError, LeadershipLostError } from '../coordination/errors.js';
import type { Lease } from '../lock-core/node-lease.js';

/**
 * What a candidate gets when it leads: the lease on its latch node, seen as a leadership. Its
 * `signal` aborts (reason: LeadershipLostError) as soon as the lead can no longer be trusted, by
 * the same rules as a lock's lease (docs/recipes/leader-election.md).
 */
export class Leadership implements AsyncDisposable {
  /** Our latch node. */
  readonly path: string;
  /** The session that leads: the owner of our node. */
  readonly sessionId: bigint;
  /** The czxid of our node: it strictly grows from leader to leader. */
  readonly epoch: bigint;
  /** The same value as `epoch`, named as on a lock's lease. */
  readonly fencingToken: bigint;
  /** Aborts, with a LeadershipLostError reason, when the lead can no longer be trusted. */
  readonly signal: AbortSignal;
  private readonly controller = new AbortController();
  private resigned = false;
  /** A later leadership resumed on our node: it is that one's to delete now, not ours. */
  private superseded = false;

  constructor(private readonly lease: Lease) {
    this.path = lease.path;
    this.sessionId = lease.sessionId;
    this.epoch = lease.fencingToken;
    this.fencingToken = lease.fencingToken;
    this.signal = this.controller.signal;
    const follow = (): void => {
      this.controller.abort(asLeadershipLost(lease.signal.reason, this.path));
    };
    if (lease.signal.aborted) follow();
    else lease.signal.addEventListener('abort', follow, { once: true });
  }

  /** True until `resign()` or the lead is lost; exact when read, as a lease's `held`. */
  get held(): boolean {
    return this.lease.held;
  }

  /** Throws the LeadershipLostError `signal` aborted with when the lead is not trusted now. */
  assertHeld(): void {
    try {
      this.lease.assertHeld();
    } catch (error) {
      throw asLeadershipLost(error, this.path);
    }
  }

  /** A transaction that commits only while our latch node exists, that is while we lead. */
  transaction(): Transaction<[CheckOpResult]> {
    return this.lease.transaction();
  }

  /**
   * Gives up the lead: deletes our node, so the next candidate leads. Idempotent. Also after the
   * signal aborted: a node kept through a suspension would otherwise head the queue while our
   * session lives. A no-op once a new `campaign()` resumed the lead on our node.
   */
  resign(options: { signal?: AbortSignal } = {}): Promise<void> {
    this.resigned = true;
    if (this.superseded) return Promise.resolve();
    return this.lease.release(options);
  }

  /** Whether resign() was called: then the node must not be resumed on. */
  resigning(): boolean {
    return this.resigned;
  }

  /** The lead resumed on our node with a new leadership: our resign() must not delete it. */
  supersede(): void {
    this.superseded = true;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.resign();
  }
}

function asLeadershipLost(error: unknown, path: string): unknown {
  return error instanceof LeaseLostError
    ? new LeadershipLostError(path, error.lossCause, { cause: error })
    : error;
}

import type { CheckOpResult, Stat, Transaction, ZooKeeper } from '../../client/index.js';
import { abortable } from '../coordination/abortable.js';
import { deleteUntilGone } from '../coordination/delete-owned.js';
import { trustEnded } from '../coordination/hold-policy.js';
import type { LostOn } from '../coordination/hold-policy.js';
import { LeaseLostError } from '../coordination/errors.js';
import type { LeaseLossCause } from '../coordination/errors.js';
import type { LockLease } from './lock-lease.js';
import { NodeWatch } from '../coordination/node-watch.js';
import { publishLockEnd } from './lock-diagnostics.js';

/** The node a lease rests on, as its create (or the read that found it) returned it. */
export interface LeaseNode {
  readonly path: string;
  readonly stat: Pick<Stat, 'czxid' | 'ephemeralOwner'>;
}

/**
 * What the holder of a lock gets. `signal` aborts (reason: LeaseLostError) as soon as the hold can
 * no longer be trusted; `held` and `assertHeld()` are exact at the moment they are called, also
 * when the event loop was too busy for the signal to abort on time. `release()` deletes our node,
 * retrying through connection loss until it is gone or its session is, so no queue is ever stuck
 * behind a released lock.
 */
export class Lease implements LockLease {
  /** Our lock node (for a MultiLock: the node of its last part). */
  readonly path: string;
  /** The session that holds the lock: the owner of our node. Any other session ends the hold. */
  readonly sessionId: bigint;
  /**
   * The czxid of our node: it grows from holder to holder, so a resource that remembers the
   * largest token it has seen can refuse a stale holder's late write.
   */
  readonly fencingToken: bigint;
  /** Aborts, with a LeaseLostError reason, when the hold can no longer be trusted. */
  readonly signal: AbortSignal;

  private readonly controller = new AbortController();
  private readonly heldSince = performance.now();
  private readonly stopObserving: () => void;
  private releasing: Promise<void> | undefined;

  /** Our node's deletion by someone else ends the hold. */
  private readonly ownNode: NodeWatch;

  constructor(
    private readonly zk: ZooKeeper,
    node: LeaseNode,
    private readonly lostOn: LostOn,
    /** The watch on our node the acquire already set; a new one when absent. */
    ownNode?: NodeWatch,
  ) {
    this.path = node.path;
    this.sessionId = node.stat.ephemeralOwner;
    this.fencingToken = node.stat.czxid;
    this.signal = this.controller.signal;
    this.ownNode = ownNode ?? new NodeWatch(zk, node.path);
    void this.ownNode.ended.then((end) => {
      // closeSession deletes our node before `closed` is reported: say why it really went.
      if (end === 'deleted') this.lose(this.zk.closing ? 'closed' : 'nodeDeleted');
    });
    // Observed, not listened to: a user's 'state' listener that throws must not silence us.
    this.stopObserving = zk.observeState(() => {
      this.checkTrust();
    });
    // The session may have moved between the acquire and now.
    this.checkTrust();
  }

  /**
   * True until `release()` is called or the hold is lost. Exact when read: past the session's
   * deadline it is false (and `signal` aborts now) even if the event loop has not yet let the
   * client declare the session lost.
   */
  get held(): boolean {
    if (this.releasing !== undefined) return false;
    this.checkTrust();
    return !this.signal.aborted;
  }

  /**
   * Throws, when the hold is not trusted at this moment, the LeaseLostError `signal` aborted with
   * (lossCause `'released'` after `release()`). Call it right before a side effect that only the
   * holder may make: after an `await`, the world may have moved on.
   */
  assertHeld(): void {
    if (this.releasing !== undefined && !this.signal.aborted) {
      throw new LeaseLostError(this.path, 'released');
    }
    this.checkTrust();
    if (this.signal.aborted) throw this.signal.reason;
  }

  /** Ends the hold if what is known right now no longer supports it. */
  private checkTrust(): void {
    const cause = trustEnded(this.zk, this.sessionId, this.lostOn);
    if (cause !== undefined) this.lose(cause);
  }

  private lose(cause: LeaseLossCause): void {
    if (this.releasing !== undefined || this.signal.aborted) return;
    this.controller.abort(new LeaseLostError(this.path, cause));
    publishLockEnd(this.path, this.heldSince, cause);
    this.stopObserving();
    this.ownNode.stop();
  }

  /**
   * A transaction that starts with a check on our lock node: it commits only while the node
   * exists, that is while we hold the lock; otherwise it rejects with NoNodeError (failed op 0)
   * and applies nothing.
   */
  transaction(): Transaction<[CheckOpResult]> {
    return this.zk.transaction().check(this.path);
  }

  /**
   * Releases the lock: deletes our node and resolves once it is confirmed gone, or at once when
   * its session is: the node went with it. Through connection loss it keeps trying (a session
   * timeout at most, when the session is lost instead); with `signal`, the caller may stop waiting
   * while the release goes on in the background. Idempotent.
   */
  release(options: { signal?: AbortSignal } = {}): Promise<void> {
    this.releasing ??= this.deleteNode();
    return abortable(this.releasing, options.signal);
  }

  private async deleteNode(): Promise<void> {
    if (!this.signal.aborted) publishLockEnd(this.path, this.heldSince, 'released');
    this.stopObserving();
    this.ownNode.stop();
    await deleteUntilGone(this.zk, this.path, this.sessionId);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.release();
  }
}

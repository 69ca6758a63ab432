import {
  AuthFailedError,
  ClientClosedError,
  InvalidArgumentError,
  NoNodeError,
  NotReadOnlyError,
  SessionExpiredError,
} from '../../client/index.js';
import type { CheckOpResult, Transaction, ZooKeeper, ZooKeeperState } from '../../client/index.js';
import { abortable } from './abortable.js';
import { isConnectionTrouble, retryPause } from './connection-trouble.js';
import { LeaseLostError } from './errors.js';
import type { LeaseLossCause } from './errors.js';
import type { LockLease } from './lock-lease.js';
import { NodeWatch } from './node-watch.js';
import { publishLockEnd } from './lock-diagnostics.js';

/** When a hold stops being trusted: as soon as the connection is suspended, or only once the session is lost. */
export type LostOn = 'suspended' | 'lost';

/** The `lostOn` option, checked at run time too, defaulting to the safe `'suspended'`. */
export function validateLostOn(value: unknown): LostOn {
  if (value === undefined) return 'suspended';
  if (value === 'suspended' || value === 'lost') return value;
  throw new InvalidArgumentError(
    `lostOn must be 'suspended' or 'lost', got ${typeof value === 'string' ? value : typeof value}`,
  );
}

export interface LeaseNode {
  readonly path: string;
  readonly czxid: bigint;
}

/**
 * What the holder of a lock gets. `signal` aborts (reason: LeaseLostError) as soon as the hold can
 * no longer be trusted; `release()` deletes our node, retrying through connection loss until it is
 * gone or the session is, so no queue is ever stuck behind a released lock.
 */
export class Lease implements LockLease {
  /** Our lock node (for a MultiLock: the node of its last part). */
  readonly path: string;
  /** The session that holds the lock. */
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
  private readonly onState: (state: ZooKeeperState) => void;
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
    this.sessionId = zk.sessionId;
    this.fencingToken = node.czxid;
    this.signal = this.controller.signal;
    this.onState = (state) => {
      const cause = lossCauseFor(state, this.lostOn);
      if (cause !== undefined) this.lose(cause);
    };
    this.ownNode = ownNode ?? new NodeWatch(zk, node.path);
    void this.ownNode.ended.then((end) => {
      // closeSession deletes our node before `closed` is reported: say why it really went.
      if (end === 'deleted') this.lose(this.zk.closing ? 'closed' : 'nodeDeleted');
    });
    zk.on('state', this.onState);
    // The state may have moved between the acquire and now.
    this.onState(zk.state);
  }

  /** True until `release()` is called or the hold is lost. */
  get held(): boolean {
    return this.releasing === undefined && !this.signal.aborted;
  }

  private lose(cause: LeaseLossCause): void {
    if (this.releasing !== undefined || this.signal.aborted) return;
    this.controller.abort(new LeaseLostError(this.path, cause));
    publishLockEnd(this.path, this.heldSince, cause);
    this.zk.off('state', this.onState);
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
   * Releases the lock: deletes our node and resolves once it is confirmed gone (or went with the
   * session). Through connection loss it keeps trying; with `signal`, the caller may stop waiting
   * while the release goes on in the background. Idempotent.
   */
  release(options: { signal?: AbortSignal } = {}): Promise<void> {
    this.releasing ??= this.deleteNode();
    return abortable(this.releasing, options.signal);
  }

  private async deleteNode(): Promise<void> {
    if (!this.signal.aborted) publishLockEnd(this.path, this.heldSince, 'released');
    this.zk.off('state', this.onState);
    this.ownNode.stop();
    await deleteUntilGone(this.zk, this.path);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.release();
  }
}

function lossCauseFor(state: ZooKeeperState, lostOn: LostOn): LeaseLossCause | undefined {
  switch (state) {
    // A read-only server cannot vouch for the session: the quorum may be expiring it meanwhile.
    case 'suspended':
    case 'readOnly':
      return lostOn === 'suspended' ? 'suspended' : undefined;
    // The client stops talking to the servers, so the session will expire: the hold is gone.
    case 'lost':
    case 'authFailed':
      return 'lost';
    case 'closed':
      return 'closed';
    default:
      return undefined;
  }
}

/**
 * Deletes a node of ours until it is confirmed gone: through connection loss and request
 * timeouts it tries again; when the session or the client ends, the server removes the ephemeral
 * node itself. On a read-only server the node is an earlier session's (a read-only server's own
 * sessions cannot create nodes), already reported lost: the quorum deletes it when it expires it.
 */
export async function deleteUntilGone(zk: ZooKeeper, path: string): Promise<void> {
  for (;;) {
    try {
      await zk.delete(path);
      return;
    } catch (error) {
      if (error instanceof NoNodeError) return;
      if (error instanceof SessionExpiredError || error instanceof ClientClosedError) return;
      if (error instanceof NotReadOnlyError) return;
      // The client stopped for good; the node goes with the session when it expires.
      if (error instanceof AuthFailedError) return;
      if (!isConnectionTrouble(error)) throw error;
    }
    await retryPause();
  }
}

import { ZkCoordError } from '../../client/index.js';

/** The wait for a lock (or another recipe) ran past its `timeout`; nothing is held. */
export class LockTimeoutError extends ZkCoordError {
  declare readonly code: 'LOCK_TIMEOUT';
  readonly path: string;
  readonly timeoutMs: number;
  constructor(path: string, timeoutMs: number) {
    super('LOCK_TIMEOUT', `timed out after ${timeoutMs} ms waiting for the lock ${path}`);
    this.path = path;
    this.timeoutMs = timeoutMs;
  }
}

/** Why a hold can no longer be trusted. */
export type LeaseLossCause =
  /** The connection is suspended: the session may be lost without our knowing (`lostOn: 'suspended'`). */
  | 'suspended'
  /** The session is lost: expired, or it may have been. */
  | 'lost'
  /**
   * The session's deadline passed before the leader confirmed it again (a server cut off from
   * the quorum, a host that slept, an event loop too busy): the leader may be expiring it. The
   * client moves to another server to find out; the hold ends whatever `lostOn` says.
   */
  | 'unconfirmed'
  /** The client was closed. */
  | 'closed'
  /** Our lock node was deleted by someone else (an operator, a script). */
  | 'nodeDeleted'
  /** We let go: only `assertHeld()` after `release()` says this; `signal` never aborts with it. */
  | 'released';

/** The reason a leadership's `signal` aborts with: the lead can no longer be trusted. */
export class LeadershipLostError extends ZkCoordError {
  declare readonly code: 'LEADERSHIP_LOST';
  readonly path: string;
  readonly lossCause: LeaseLossCause;
  constructor(path: string, lossCause: LeaseLossCause, options?: ErrorOptions) {
    super(
      'LEADERSHIP_LOST',
      `the leadership of ${path} can no longer be trusted: ${describe(lossCause)}`,
      options,
    );
    this.path = path;
    this.lossCause = lossCause;
  }
}

/** The reason a lease's `signal` aborts with: the hold can no longer be trusted. */
export class LeaseLostError extends ZkCoordError {
  declare readonly code: 'LEASE_LOST';
  readonly path: string;
  readonly lossCause: LeaseLossCause;
  constructor(path: string, lossCause: LeaseLossCause) {
    super('LEASE_LOST', `the hold on ${path} can no longer be trusted: ${describe(lossCause)}`);
    this.path = path;
    this.lossCause = lossCause;
  }
}

function describe(cause: LeaseLossCause): string {
  switch (cause) {
    case 'suspended':
      return 'the connection to ZooKeeper is suspended';
    case 'lost':
      return 'the ZooKeeper session is lost';
    case 'unconfirmed':
      return 'the ZooKeeper leader has not confirmed the session in time';
    case 'closed':
      return 'the ZooKeeper client was closed';
    case 'nodeDeleted':
      return 'its node was deleted by someone else';
    case 'released':
      return 'it was released';
  }
}

/**
 * The lock's parent has had 2^31 − 1 children created under it, the most its sequence count (a
 * signed int) can number: ZooKeeper then names new children 2147483647 again, or negative when
 * several creates are in flight, so new nodes can sort ahead of older ones — in our order and in
 * Curator's and kazoo's — and no queue on that path can be trusted. Nothing is queued; deleting
 * and re-creating the parent resets the count.
 */
export class SequenceWrappedError extends ZkCoordError {
  declare readonly code: 'LOCK_SEQUENCE_WRAPPED';
  /** The lock's path: the parent of the queue nodes. */
  readonly path: string;
  /** The child with the last or a negative sequence number. */
  readonly node: string;
  constructor(path: string, node: string) {
    super(
      'LOCK_SEQUENCE_WRAPPED',
      `the lock ${path} has run out of sequence numbers (node ${node}: ZooKeeper counts children ` +
        'created under a node in a signed 32-bit int, and past 2147483647 it repeats that number ' +
        'or goes negative), so its queue order can no longer be trusted and nothing was queued; ' +
        `delete the node ${path} and create it again (an acquire re-creates it if missing) while ` +
        'no process holds or waits for the lock: that resets the count',
    );
    this.path = path;
    this.node = node;
  }
}

/**
 * A Semaphore was opened with a lease count other than the one recorded in the data of its path
 * by the processes already using it (as kazoo records it): N holders would no longer be a bound.
 * Nothing is held and no node of ours is left behind.
 */
export class SemaphoreLeasesMismatchError extends ZkCoordError {
  declare readonly code: 'SEMAPHORE_LEASES_MISMATCH';
  readonly path: string;
  /** The `leases` this Semaphore was given. */
  readonly leases: number;
  /** The count found in the data of `path`. */
  readonly recordedLeases: number;
  constructor(path: string, leases: number, recordedLeases: number) {
    super(
      'SEMAPHORE_LEASES_MISMATCH',
      `the semaphore ${path} is used with leases: ${recordedLeases} (recorded in its data), ` +
        `not ${leases}: give every process on this path the same leases; to change it, set ` +
        `the data of ${path} to the new count while no process uses it (or wait until the ` +
        `server has removed the idle semaphore's path, and its record with it)`,
    );
    this.path = path;
    this.leases = leases;
    this.recordedLeases = recordedLeases;
  }
}

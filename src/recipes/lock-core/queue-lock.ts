import type { Data, ZooKeeper } from '../../client/index.js';
import { validatePath } from '../../client/index.js';
import { validateTimeout } from '../coordination/give-up.js';
import { holderData } from './holder-data.js';
import { describeQueue } from './introspection.js';
import type { QueueEntry } from './introspection.js';
import { validateLostOn } from '../coordination/hold-policy.js';
import type { LostOn } from '../coordination/hold-policy.js';
import { Lease } from './node-lease.js';
import { traceAcquire } from './lock-diagnostics.js';
import { withLease } from './lock-lease.js';
import { acquireNode } from './queue-wait.js';
import type { LockDriver } from './lock-driver.js';
import type { QueuedNode, WaitOptions } from './queue-wait.js';

/** The options every queue lock takes. */
export interface LockOptions {
  /** When `lease.signal` aborts: `'suspended'` (default, the safe choice) or only on `'lost'`. */
  readonly lostOn?: LostOn;
  /** The lock node's data; default JSON `{ host, pid, id? }` naming the holder. */
  readonly data?: Data;
  /** Added to the default data, to tell holders apart. */
  readonly id?: string;
}

/**
 * A lock held by one node in a queue of ephemeral-sequential children of `path`; the driver says
 * which node each waiter is blocked by. Mutex and the two halves of a ReadWriteLock are this with
 * different drivers.
 */
export class QueueLock {
  private readonly lostOn: LostOn;
  private readonly data: Data;

  constructor(
    private readonly zk: ZooKeeper,
    readonly path: string,
    private readonly driver: LockDriver,
    options: LockOptions,
  ) {
    validatePath(path);
    this.lostOn = validateLostOn(options.lostOn);
    this.data = options.data ?? holderData(options.id);
  }

  /**
   * Waits for the lock and resolves with the lease. Rejects with LockTimeoutError, the signal's
   * reason, SessionExpiredError (the session was lost while waiting), ClientClosedError,
   * AuthFailedError, SequenceWrappedError, LeaseLostError (our node deleted by someone else) or
   * the server's refusal to create the node (NoAuthError, …): the exact list is in
   * docs/recipes/mutex.md. Connection trouble never ends the wait. The queue node is removed in
   * every case.
   */
  async acquire(options: WaitOptions = {}): Promise<Lease> {
    validateTimeout(options.timeout);
    return traceAcquire(this.path, async () => {
      const queued = await acquireNode(this.zk, this.path, this.driver, this.data, {
        ...options,
        wait: true,
      });
      if (queued === undefined) throw new Error('unreachable: a waiting acquire returned no node');
      return this.leaseFor(queued);
    });
  }

  /** Takes the lock if it can be had without waiting; otherwise resolves undefined at once. */
  tryAcquire(): Promise<Lease | undefined> {
    return traceAcquire(this.path, async () => {
      const queued = await acquireNode(this.zk, this.path, this.driver, this.data, {
        wait: false,
      });
      return queued === undefined ? undefined : this.leaseFor(queued);
    });
  }

  private leaseFor({ node, ownNode }: QueuedNode): Lease {
    return new Lease(this.zk, node, this.lostOn, ownNode);
  }

  /** Runs `fn` while holding the lock and always releases it, also when `fn` throws. */
  async withLock<T>(fn: (lease: Lease) => Promise<T> | T, options: WaitOptions = {}): Promise<T> {
    return withLease(() => this.acquire(options), fn);
  }

  /** The queue, holders first: every contender's node with its data (what it says about its holder). */
  participants(): Promise<QueueEntry[]> {
    return describeQueue(this.zk, this.path, this.driver);
  }

  /** The current holder, or undefined when the lock is free. */
  async holder(): Promise<QueueEntry | undefined> {
    return (await this.participants()).find((entry) => entry.holds);
  }
}

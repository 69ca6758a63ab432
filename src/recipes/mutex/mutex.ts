import type { Data, ZooKeeper } from '../../client/index.js';
import { InvalidArgumentError, validatePath } from '../../client/index.js';
import { holderData } from '../internal/holder-data.js';
import { Lease } from '../internal/lease.js';
import { validateLostOn } from '../internal/lease.js';
import type { LostOn } from '../internal/lease.js';
import { acquireNode } from '../internal/lock-queue.js';
import type { LockDriver, WaitOptions } from '../internal/lock-queue.js';
import { describeQueue } from '../internal/introspection.js';
import type { QueueEntry } from '../internal/introspection.js';
import type { Participant } from '../internal/node-names.js';

export interface MutexOptions {
  /** When `lease.signal` aborts: `'suspended'` (default, the safe choice) or only on `'lost'`. */
  readonly lostOn?: LostOn;
  /** The lock node's data; default JSON `{ host, pid, id? }` naming the holder. */
  readonly data?: Data;
  /** Added to the default data, to tell holders apart. */
  readonly id?: string;
}

/** Curator's InterProcessMutex node name; kazoo's `Lock` uses `__lock__`. */
const NODE_NAME = 'lock-';
const KAZOO_NODE_NAME = '__lock__';

/** One holder at a time: wait for the node just ahead, whatever made it. */
export const mutexDriver: LockDriver = {
  nodeName: NODE_NAME,
  markers: [NODE_NAME, KAZOO_NODE_NAME],
  blocker: (queue: readonly Participant[], ourIndex: number) =>
    ourIndex === 0 ? undefined : queue[ourIndex - 1]?.name,
};

/**
 * A fair, herd-free distributed mutex with the node layout of Curator's InterProcessMutex
 * (`<path>/_c_<uuid>-lock-<seq>`), so that Curator processes on the same path are excluded too;
 * kazoo `Lock` nodes (`<uuid>__lock__<seq>`) count as contenders. Not reentrant.
 *
 * ```ts
 * const mutex = new Mutex(zk, '/locks/report');
 * await using lease = await mutex.acquire({ timeout: 10_000 });
 * await writeReport({ fencingToken: lease.fencingToken, signal: lease.signal });
 * ```
 */
export class Mutex {
  private readonly lostOn: LostOn;
  private readonly data: Data;

  constructor(
    private readonly zk: ZooKeeper,
    readonly path: string,
    options: MutexOptions = {},
  ) {
    validatePath(path);
    this.lostOn = validateLostOn(options.lostOn);
    this.data = options.data ?? holderData(options.id);
  }

  /**
   * Waits for the lock and resolves with the lease. Rejects with LockTimeoutError, the signal's
   * reason, SessionExpiredError (the session was lost while waiting), ClientClosedError, or a
   * connection error the wait could not get past; the queue node is removed in every case.
   */
  async acquire(options: WaitOptions = {}): Promise<Lease> {
    validateWait(options);
    const node = await acquireNode(this.zk, this.path, mutexDriver, this.data, {
      ...options,
      wait: true,
    });
    if (node === undefined) throw new Error('unreachable: a waiting acquire returned no node');
    return new Lease(this.zk, { path: node.path, czxid: node.stat.czxid }, this.lostOn);
  }

  /** Takes the lock if nobody holds it or waits for it; otherwise resolves undefined at once. */
  async tryAcquire(): Promise<Lease | undefined> {
    const node = await acquireNode(this.zk, this.path, mutexDriver, this.data, { wait: false });
    return node === undefined
      ? undefined
      : new Lease(this.zk, { path: node.path, czxid: node.stat.czxid }, this.lostOn);
  }

  /** Runs `fn` while holding the lock and always releases it, also when `fn` throws. */
  async withLock<T>(fn: (lease: Lease) => Promise<T> | T, options: WaitOptions = {}): Promise<T> {
    const lease = await this.acquire(options);
    try {
      return await fn(lease);
    } finally {
      await lease.release();
    }
  }

  /** The queue, holder first: every contender's node with its data (what it says about its holder). */
  participants(): Promise<QueueEntry[]> {
    return describeQueue(this.zk, this.path, mutexDriver);
  }

  /** The current holder, or undefined when the lock is free. */
  async holder(): Promise<QueueEntry | undefined> {
    return (await this.participants()).find((entry) => entry.holds);
  }
}

function validateWait(options: WaitOptions): void {
  const { timeout } = options;
  if (timeout !== undefined && (!Number.isFinite(timeout) || timeout < 0)) {
    throw new InvalidArgumentError(
      `timeout must be a non-negative number of ms, got ${String(timeout)}`,
    );
  }
}

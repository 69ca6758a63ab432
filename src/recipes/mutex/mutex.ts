import type { ZooKeeper } from '../../client/index.js';
import type { LockDriver } from '../internal/lock-queue.js';
import type { Participant } from '../internal/node-names.js';
import { QueueLock } from '../internal/queue-lock.js';
import type { LockOptions } from '../internal/queue-lock.js';

export type MutexOptions = LockOptions;

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
 * `acquire({ timeout, signal, onPosition })`, `tryAcquire()` (the lock if nobody holds it or waits
 * for it, else undefined at once), `withLock(fn, options)`, `participants()`, `holder()`.
 *
 * ```ts
 * const mutex = new Mutex(zk, '/locks/report');
 * await using lease = await mutex.acquire({ timeout: 10_000 });
 * await writeReport({ fencingToken: lease.fencingToken, signal: lease.signal });
 * ```
 */
export class Mutex extends QueueLock {
  constructor(zk: ZooKeeper, path: string, options: MutexOptions = {}) {
    super(zk, path, mutexDriver, options);
  }
}

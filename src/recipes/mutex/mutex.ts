import type { ZooKeeper } from '../../client/index.js';
import { mutexDriver } from '../lock-core/mutex-driver.js';
import { QueueLock } from '../lock-core/queue-lock.js';
import type { LockOptions } from '../lock-core/queue-lock.js';

export { mutexDriver };
export type MutexOptions = LockOptions;

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

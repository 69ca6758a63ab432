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
 * The algorithm (the lock core's, `lock-core/queue-wait.ts`, with `mutexDriver`'s rule):
 * 1. Create `<path>/_c_<uuid>-lock-` ephemeral-sequential. After a lost reply, find it again by
 *    its uuid and keep it only if our session owns it.
 * 2. List the children and order them by sequence number: the lowest holds the lock.
 * 3. Otherwise watch only the node just ahead of ours — and, when that one is second, the first
 *    too, so that the listing is made before the hand-over. When a watched node goes, go back to
 *    2; when it headed our last listing, go on from the rest of it without listing again.
 * 4. `release()`, a timeout, an abort or the session's end deletes our node: the next waiter's
 *    watch fires.
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

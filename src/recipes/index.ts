/**
 * zkcoord recipes: distributed locks and coordination on the client.
 */
export { Mutex } from './mutex/index.js';
export type { MutexOptions } from './mutex/index.js';
export { Lease } from './internal/lease.js';
export type { LostOn } from './internal/lease.js';
export {
  LeaseLostError,
  LockTimeoutError,
  SemaphoreLeasesMismatchError,
  SequenceWrappedError,
} from './internal/errors.js';
export type { LeaseLossCause } from './internal/errors.js';
export type { WaitOptions } from './internal/lock-queue.js';
export type { QueueEntry } from './internal/introspection.js';
export { ReadLock, ReadWriteLock, WriteLock } from './read-write-lock/index.js';
export type { ReadWriteLockOptions } from './read-write-lock/index.js';
export { Semaphore } from './semaphore/index.js';
export type { SemaphoreAcquireOptions, SemaphoreOptions } from './semaphore/index.js';
export { MultiLease, MultiLock } from './multi-lock/index.js';
export type { Lockable } from './multi-lock/index.js';
export type { LockLease } from './internal/lock-lease.js';
export type { AcquireOptions } from './internal/give-up.js';
export type { LockMessage } from './internal/lock-diagnostics.js';

/**
 * zkcoord recipes: distributed locks and coordination on the client.
 */
export { Mutex } from './mutex/index.js';
export type { MutexOptions } from './mutex/index.js';
export { Lease } from './lock-core/node-lease.js';
export type { LostOn } from './coordination/hold-policy.js';
export {
  LeadershipLostError,
  LeaseLostError,
  LockTimeoutError,
  SemaphoreLeasesMismatchError,
  SequenceWrappedError,
} from './coordination/errors.js';
export type { LeaseLossCause } from './coordination/errors.js';
export type { WaitOptions } from './lock-core/queue-wait.js';
export type { QueueEntry } from './lock-core/introspection.js';
export { ReadLock, ReadWriteLock, WriteLock } from './read-write-lock/index.js';
export type { ReadWriteLockOptions } from './read-write-lock/index.js';
export { Semaphore } from './semaphore/index.js';
export type { SemaphoreAcquireOptions, SemaphoreOptions } from './semaphore/index.js';
export { MultiLease, MultiLock } from './multi-lock/index.js';
export type { Lockable } from './multi-lock/index.js';
export type { LockLease } from './lock-core/lock-lease.js';
export type { AcquireOptions } from './coordination/give-up.js';
export type { LockMessage } from './lock-core/lock-diagnostics.js';
export { LeaderElection, Leadership } from './election/index.js';
export type { Candidate, LeaderElectionOptions, RunOptions } from './election/index.js';

/**
 * zkcoord recipes: distributed locks and coordination on the client.
 */
export { Mutex } from './mutex/index.js';
export type { MutexOptions } from './mutex/index.js';
export { Lease } from './internal/lease.js';
export type { LostOn } from './internal/lease.js';
export { LeaseLostError, LockTimeoutError } from './internal/errors.js';
export type { LeaseLossCause } from './internal/errors.js';
export type { WaitOptions } from './internal/lock-queue.js';
export type { QueueEntry } from './internal/introspection.js';

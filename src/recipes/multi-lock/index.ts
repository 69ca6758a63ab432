export { MultiLock } from './multi-lock.js';
export type { Lockable } from './multi-lock.js';
export { MultiLease } from '../internal/multi-lease.js';

export { MultiLock } from './multi-lock.js';
export type { Lockable } from './multi-lock.js';
export { MultiLease } from '../lock-core/multi-lease.js';

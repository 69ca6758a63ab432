export { ReadLock, ReadWriteLock, WriteLock } from './read-write-lock.js';
export type { ReadWriteLockOptions } from './read-write-lock.js';

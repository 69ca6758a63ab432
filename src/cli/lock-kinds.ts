import type { ZooKeeper } from '../index.js';
import { Mutex, ReadWriteLock, Semaphore } from '../recipes/index.js';
import type { AcquireOptions, LockLease } from '../recipes/index.js';
import type { LockKind } from './lock-args.js';

/** What `zkcoord lock` needs of any of the locks. */
export interface CliLock {
  acquire(options: AcquireOptions): Promise<LockLease>;
  /** The lock if it is free now, else undefined at once. */
  tryAcquire(): Promise<LockLease | undefined>;
}

export function openLock(zk: ZooKeeper, path: string, lock: LockKind): CliLock {
  switch (lock.kind) {
    case 'mutex':
      return new Mutex(zk, path);
    case 'read':
      return new ReadWriteLock(zk, path).readLock;
    case 'write':
      return new ReadWriteLock(zk, path).writeLock;
    case 'semaphore':
      return new Semaphore(zk, path, { leases: lock.leases });
  }
}

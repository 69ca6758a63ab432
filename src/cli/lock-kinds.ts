import type { ZooKeeper } from '../index.js';
import * as recipes from '../recipes/index.js';
import type { Lease, WaitOptions } from '../recipes/index.js';
import type { LockKind } from './lock-args.js';

/** What `zkcoord lock` needs of any of the locks. */
export interface Lockable {
  acquire(options: WaitOptions): Promise<Lease>;
  /** The lock if it is free now, else undefined at once. */
  tryAcquire(): Promise<Lease | undefined>;
}

interface ReadWriteLockLike {
  readonly readLock: Lockable;
  readonly writeLock: Lockable;
}

type ReadWriteLockClass = new (zk: ZooKeeper, path: string, options?: object) => ReadWriteLockLike;
type SemaphoreClass = new (zk: ZooKeeper, path: string, options: { leases: number }) => Lockable;

/** The lock kind is not in this build of the library: it needs the recipe, not a usage fix. */
export class LockKindUnavailableError extends Error {}

// ReadWriteLock and Semaphore are looked up at run time rather than imported, so this command
// builds and its mutex works before those recipes land in recipes/index.ts.
function recipe(name: string): unknown {
  const found = (recipes as Record<string, unknown>)[name];
  if (typeof found !== 'function') {
    throw new LockKindUnavailableError(`this build of zkcoord has no ${name}`);
  }
  return found;
}

export function openLock(zk: ZooKeeper, path: string, lock: LockKind): Lockable {
  switch (lock.kind) {
    case 'mutex':
      return new recipes.Mutex(zk, path);
    case 'read':
      return new (recipe('ReadWriteLock') as ReadWriteLockClass)(zk, path).readLock;
    case 'write':
      return new (recipe('ReadWriteLock') as ReadWriteLockClass)(zk, path).writeLock;
    case 'semaphore':
      return new (recipe('Semaphore') as SemaphoreClass)(zk, path, { leases: lock.leases });
  }
}

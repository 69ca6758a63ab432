import type { ZooKeeper } from '../../client/index.js';
import type { QueueEntry } from '../lock-core/introspection.js';
import type { LockDriver } from '../lock-core/lock-driver.js';
import { sequenceOf } from '../coordination/node-names.js';
import type { Participant } from '../coordination/node-names.js';
import { QueueLock } from '../lock-core/queue-lock.js';
import type { LockOptions } from '../lock-core/queue-lock.js';

export type ReadWriteLockOptions = LockOptions;

/** Curator's InterProcessReadWriteLock node names (of equal length, which Curator relies on). */
const READ_NAME = '__READ__';
const WRITE_NAME = '__WRIT__';
const MARKERS = [READ_NAME, WRITE_NAME];

function isWriter(name: string): boolean {
  return sequenceOf(name, [WRITE_NAME]) !== undefined;
}

/**
 * A writer waits for the node just ahead of it, reader or writer. A reader waits for the nearest
 * writer ahead of it — not the first, as Curator does: readers between two writers then wake once,
 * when the nearer one goes, and earlier writers are gone by then in the usual case.
 */
function blocker(queue: readonly Participant[], ourIndex: number): string | undefined {
  const ours = queue[ourIndex];
  if (ours !== undefined && isWriter(ours.name)) return queue[ourIndex - 1]?.name;
  for (let i = ourIndex - 1; i >= 0; i--) {
    const ahead = queue[i];
    if (ahead !== undefined && isWriter(ahead.name)) return ahead.name;
  }
  return undefined;
}

export const readDriver: LockDriver = { nodeName: READ_NAME, markers: MARKERS, blocker };
export const writeDriver: LockDriver = { nodeName: WRITE_NAME, markers: MARKERS, blocker };

/**
 * The shared half: held by any number of readers together while no writer is ahead of them in
 * the queue. `participants()` is the whole queue, readers and writers.
 */
export class ReadLock extends QueueLock {
  constructor(zk: ZooKeeper, path: string, options: ReadWriteLockOptions) {
    super(zk, path, readDriver, options);
  }

  /** The readers holding the lock now, in queue order. */
  async holders(): Promise<QueueEntry[]> {
    return (await this.participants()).filter((entry) => entry.holds && !isWriter(entry.name));
  }

  /** The first of the readers holding the lock, or undefined when no reader holds it. */
  override async holder(): Promise<QueueEntry | undefined> {
    return (await this.holders())[0];
  }
}

/** The exclusive half: one writer, and no readers meanwhile. `participants()` is the whole queue. */
export class WriteLock extends QueueLock {
  constructor(zk: ZooKeeper, path: string, options: ReadWriteLockOptions) {
    super(zk, path, writeDriver, options);
  }

  /** The writer holding the lock, or undefined when none does (readers may). */
  override async holder(): Promise<QueueEntry | undefined> {
    return (await this.participants()).find((entry) => entry.holds && isWriter(entry.name));
  }
}

/**
 * A fair, herd-free distributed read/write lock in the layout of Curator's
 * InterProcessReadWriteLock: one queue of `<path>/_c_<uuid>-__READ__<seq>` and
 * `…-__WRIT__<seq>` nodes. A reader holds while no writer is ahead of it; a writer holds when it
 * is first. Not reentrant, no upgrade or downgrade. `readLock` and `writeLock` have the surface
 * of Mutex, and both list the same queue in `participants()`; ReadLock adds `holders()`.
 *
 * ```ts
 * const rw = new ReadWriteLock(zk, '/locks/catalog');
 * await rw.readLock.withLock(async (lease) => readCatalog(lease.signal));
 * ```
 */
export class ReadWriteLock {
  readonly readLock: ReadLock;
  readonly writeLock: WriteLock;

  constructor(
    zk: ZooKeeper,
    readonly path: string,
    options: ReadWriteLockOptions = {},
  ) {
    this.readLock = new ReadLock(zk, path, options);
    this.writeLock = new WriteLock(zk, path, options);
  }
}

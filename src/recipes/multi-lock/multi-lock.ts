import { InvalidArgumentError } from '../../client/index.js';
import { LockTimeoutError } from '../coordination/errors.js';
import { validateTimeout } from '../coordination/give-up.js';
import type { AcquireOptions } from '../coordination/give-up.js';
import type { LockLease } from '../lock-core/lock-lease.js';
import { MultiLease, releaseInReverse } from '../lock-core/multi-lease.js';
import { withLease } from '../lock-core/lock-lease.js';

/** Anything a MultiLock can take part of: a Mutex, either half of a ReadWriteLock, a Semaphore. */
export interface Lockable {
  acquire(options: AcquireOptions): Promise<LockLease>;
}

/**
 * Several locks held as one: `acquire` takes them in the given order, all or none, like Curator's
 * InterProcessMultiLock. Processes that take overlapping sets must list them in one global order,
 * or they can deadlock until a timeout; a lock listed twice waits for itself (no reentrancy).
 *
 * ```ts
 * const both = new MultiLock([new Mutex(zk, '/locks/a'), new Mutex(zk, '/locks/b')]);
 * await using lease = await both.acquire({ timeout: 5_000 });
 * await transfer({ fencingToken: lease.fencingToken, signal: lease.signal });
 * ```
 */
export class MultiLock implements Lockable {
  private readonly locks: readonly Lockable[];

  constructor(locks: readonly Lockable[]) {
    if (locks.length === 0) throw new InvalidArgumentError('a MultiLock needs at least one lock');
    this.locks = [...locks];
  }

  /**
   * Acquires every lock in order. `timeout` is one deadline for all of them, and on a timeout
   * (LockTimeoutError naming the lock it was waiting for), an abort or any other failure the
   * locks already taken are released, last first, and the acquire rejects at once.
   */
  async acquire(options: AcquireOptions = {}): Promise<MultiLease> {
    const { timeout, signal } = options;
    validateTimeout(timeout);
    const deadline = timeout === undefined ? undefined : performance.now() + timeout;
    const parts: LockLease[] = [];
    try {
      for (const lock of this.locks) {
        const remaining =
          deadline === undefined ? undefined : Math.max(0, deadline - performance.now());
        parts.push(
          await lock.acquire({
            ...(remaining === undefined ? {} : { timeout: remaining }),
            ...(signal === undefined ? {} : { signal }),
          }),
        );
      }
    } catch (error) {
      void releaseInReverse(parts).catch(() => undefined);
      // Reported against the whole wait, not the remainder the last lock was given.
      if (error instanceof LockTimeoutError && timeout !== undefined) {
        throw new LockTimeoutError(error.path, timeout);
      }
      throw error;
    }
    return new MultiLease(parts);
  }

  /** Runs `fn` while holding every lock and always releases them, also when `fn` throws. */
  async withLock<T>(
    fn: (lease: MultiLease) => Promise<T> | T,
    options: AcquireOptions = {},
  ): Promise<T> {
    return withLease(() => this.acquire(options), fn);
  }
}

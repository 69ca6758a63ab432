import { abortable } from '../coordination/abortable.js';
import { LeaseLostError } from '../coordination/errors.js';
import type { LockLease } from './lock-lease.js';

/**
 * Several holds as one: a MultiLock's parts, or the leases a Semaphore took at once. `signal`
 * aborts as soon as any part's does (with that part's reason), `fencingToken` is the largest of
 * the parts' tokens, `path` is the last part's, and `release()` lets go of the parts in reverse
 * order.
 */
export class MultiLease implements LockLease {
  /** The parts' leases, in the order they were acquired. */
  readonly parts: readonly LockLease[];
  readonly path: string;
  readonly fencingToken: bigint;
  readonly signal: AbortSignal;
  private releasing: Promise<void> | undefined;

  constructor(parts: readonly LockLease[]) {
    const last = parts.at(-1);
    if (last === undefined) throw new Error('unreachable: a MultiLease of no parts');
    this.parts = parts;
    this.path = last.path;
    this.fencingToken = parts.reduce(
      (max, part) => (part.fencingToken > max ? part.fencingToken : max),
      last.fencingToken,
    );
    this.signal = AbortSignal.any(parts.map((part) => part.signal));
  }

  /** True until `release()` is called or any part's hold is lost or released. */
  get held(): boolean {
    return this.releasing === undefined && this.parts.every((part) => part.held);
  }

  /**
   * Throws the first part's LeaseLostError when any part is not held at this moment; after
   * `release()`, a part's loss that came first, else lossCause `'released'`.
   */
  assertHeld(): void {
    if (this.releasing === undefined) {
      for (const part of this.parts) part.assertHeld();
      return;
    }
    const lost = this.parts.find((part) => part.signal.aborted);
    throw lost === undefined ? new LeaseLostError(this.path, 'released') : lost.signal.reason;
  }

  /**
   * Releases the parts in reverse order, each confirmed gone before the next begins; a part
   * whose release fails does not keep the others held (the first failure is rethrown at the end).
   * With `signal`, the caller may stop waiting while the releases go on. Idempotent.
   */
  release(options: { signal?: AbortSignal } = {}): Promise<void> {
    this.releasing ??= releaseInReverse(this.parts);
    return abortable(this.releasing, options.signal);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.release();
  }
}

/** Releases the leases last first, going on past a failure, which it rethrows at the end. */
export async function releaseInReverse(leases: readonly LockLease[]): Promise<void> {
  const failures: unknown[] = [];
  for (const lease of [...leases].reverse()) {
    try {
      await lease.release();
    } catch (error) {
      failures.push(error);
    }
  }
  if (failures.length > 0) throw failures[0];
}

/**
 * What every lock's `acquire` resolves with: a Lease on one node, or a MultiLock's lease on
 * several. Enough to guard work (`signal`), fence a resource (`fencingToken`) and let go.
 */
export interface LockLease extends AsyncDisposable {
  /** The lock node this hold rests on (for a MultiLock: its last part's). */
  readonly path: string;
  /** Grows from holder to holder of an exclusive lock; see Lease.fencingToken. */
  readonly fencingToken: bigint;
  /** Aborts, with a LeaseLostError reason, when the hold can no longer be trusted. */
  readonly signal: AbortSignal;
  /** True until `release()` is called or the hold is lost; exact at the moment it is read. */
  readonly held: boolean;
  /**
   * Throws the LeaseLostError `signal` aborted with when the hold is not trusted at this moment
   * (lossCause `'released'` after `release()`): call it right before a side effect only the
   * holder may make.
   */
  assertHeld(): void;
  /**
   * Lets go, resolving once the lock nodes are confirmed gone; with `signal` the caller may stop
   * waiting while the release goes on in the background. Idempotent.
   */
  release(options?: { signal?: AbortSignal }): Promise<void>;
}

/** Runs `fn` with the lease `acquire` resolves to and always releases it, also when `fn` throws. */
export async function withLease<L extends LockLease, T>(
  acquire: () => Promise<L>,
  fn: (lease: L) => Promise<T> | T,
): Promise<T> {
  const lease = await acquire();
  try {
    return await fn(lease);
  } finally {
    await lease.release();
  }
}

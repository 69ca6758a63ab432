import diagnosticsChannel from 'node:diagnostics_channel';
import type { LeaseLossCause } from '../coordination/errors.js';

/** `zkcoord:lock`: every acquire's outcome and every hold's end, for lock wait / hold metrics. */
export const lockChannel = diagnosticsChannel.channel('zkcoord:lock');

export type LockMessage =
  | {
      readonly event: 'acquired';
      /** The lock's path (a Semaphore's: its path). */
      readonly lock: string;
      /** Our lock node. */
      readonly node: string;
      readonly sessionId: bigint;
      readonly fencingToken: bigint;
      /** From the call to acquire to holding, ms. */
      readonly waitMs: number;
    }
  | {
      readonly event: 'failed';
      readonly lock: string;
      readonly waitMs: number;
      /** The error's `code` (`LOCK_TIMEOUT`, `SESSIONEXPIRED`, …) or name (`AbortError`). */
      readonly error: string;
    }
  | { readonly event: 'released'; readonly node: string; readonly holdMs: number }
  | {
      readonly event: 'lost';
      readonly node: string;
      readonly holdMs: number;
      readonly cause: Exclude<LeaseLossCause, 'released'>;
    };

interface Held {
  readonly path: string;
  readonly sessionId: bigint;
  readonly fencingToken: bigint;
}

/** Runs one acquire and publishes its outcome (a `tryAcquire` that gets nothing publishes nothing). */
export function traceAcquire<L extends Held | undefined>(
  lock: string,
  acquire: () => Promise<L>,
): Promise<L> {
  return traced(lock, acquire, (lease) => (lease === undefined ? [] : [lease]));
}

/**
 * traceAcquire for an acquire that takes several nodes at once (a Semaphore's `count`): one
 * `acquired` per node, as a MultiLock publishes one per part, so that every `released` or `lost`
 * pairs with an `acquired`.
 */
export function traceAcquireAll<L extends readonly Held[] | undefined>(
  lock: string,
  acquire: () => Promise<L>,
): Promise<L> {
  return traced(lock, acquire, (leases) => leases ?? []);
}

async function traced<R>(
  lock: string,
  acquire: () => Promise<R>,
  held: (result: R) => readonly Held[],
): Promise<R> {
  if (!lockChannel.hasSubscribers) return acquire();
  const startedAt = performance.now();
  try {
    const result = await acquire();
    const waitMs = performance.now() - startedAt;
    for (const lease of held(result)) {
      publish({
        event: 'acquired',
        lock,
        node: lease.path,
        sessionId: lease.sessionId,
        fencingToken: lease.fencingToken,
        waitMs,
      });
    }
    return result;
  } catch (error) {
    publish({ event: 'failed', lock, waitMs: performance.now() - startedAt, error: codeOf(error) });
    throw error;
  }
}

export function publishLockEnd(node: string, heldSince: number, cause: LeaseLossCause): void {
  if (!lockChannel.hasSubscribers) return;
  const holdMs = performance.now() - heldSince;
  publish(
    cause === 'released'
      ? { event: 'released', node, holdMs }
      : { event: 'lost', node, holdMs, cause },
  );
}

function publish(message: LockMessage): void {
  lockChannel.publish(message);
}

function codeOf(error: unknown): string {
  if (error instanceof Error) {
    return 'code' in error && typeof error.code === 'string' ? error.code : error.name;
  }
  return typeof error;
}

import { setTimeout as sleep } from 'node:timers/promises';
import {
  ConnectionLossError,
  InvalidArgumentError,
  RequestTimeoutError,
  ThrottledOpError,
} from './errors.js';

export interface BackoffOptions {
  /** The first pause, ms (default 100). */
  readonly initialMs?: number;
  /** The longest pause, ms (default 5000). */
  readonly maxMs?: number;
  /** How much the pause grows per retry (default 2). */
  readonly factor?: number;
}

export interface RetryOptions {
  /** How many times to retry after the first attempt (default 5). */
  readonly retries?: number;
  readonly backoff?: BackoffOptions;
  /** Stops waiting and retrying; the promise rejects with the signal's reason. */
  readonly signal?: AbortSignal;
}

/**
 * The errors after which trying again is safe for an idempotent operation: the request may not
 * have reached the server (connection loss, request timeout) or the server asked us to back off.
 * Session expiry is never retried: whatever the session held is gone, and the caller must decide.
 */
export function isRetryable(error: unknown): boolean {
  return (
    error instanceof ConnectionLossError ||
    error instanceof RequestTimeoutError ||
    error instanceof ThrottledOpError
  );
}

/**
 * Runs `fn` and, when it fails with a retryable error, runs it again after a pause that grows
 * exponentially with jitter, up to `retries` more times. Use it only for idempotent work: after a
 * connection loss a write may have been applied although its reply was lost.
 */
export async function retry<T>(
  fn: (attempt: number) => Promise<T>,
  options: RetryOptions = {},
): Promise<T> {
  const retries = options.retries ?? 5;
  if (!Number.isInteger(retries) || retries < 0) {
    throw new InvalidArgumentError(
      `retries must be a non-negative integer, got ${String(retries)}`,
    );
  }
  const initialMs = options.backoff?.initialMs ?? 100;
  const maxMs = options.backoff?.maxMs ?? 5000;
  const factor = options.backoff?.factor ?? 2;
  const signal = options.signal;
  for (let attempt = 0; ; attempt++) {
    signal?.throwIfAborted();
    try {
      return await fn(attempt);
    } catch (error) {
      if (attempt >= retries || !isRetryable(error)) throw error;
    }
    const ceiling = Math.min(maxMs, initialMs * factor ** attempt);
    // Half fixed, half random: spread out clients that failed together, but never retry at once.
    await sleep(
      ceiling / 2 + Math.random() * (ceiling / 2),
      undefined,
      signal ? { signal } : {},
    ).catch((error: unknown) => {
      throw signal?.aborted === true ? signal.reason : error;
    });
  }
}

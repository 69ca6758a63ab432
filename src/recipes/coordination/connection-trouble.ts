import { ConnectionLossError, RequestTimeoutError, ThrottledOpError } from '../../client/index.js';
import type { GiveUp } from './give-up.js';

/** How long to pause before trying again after connection trouble; requests wait for the reconnect themselves. */
const RETRY_PAUSE_MS = 50;

/**
 * Errors that say nothing about the request's outcome, only that its answer did not arrive, or
 * that the server asks us to come back later (a throttled request is not applied): the session
 * may well be fine, and an idempotent step can be repeated.
 */
export function isConnectionTrouble(error: unknown): boolean {
  return (
    error instanceof ConnectionLossError ||
    error instanceof RequestTimeoutError ||
    error instanceof ThrottledOpError
  );
}

export function retryPause(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, RETRY_PAUSE_MS));
}

/**
 * Runs a read (a listing, an exists with a watch) until it gets an answer: a connection blip must
 * not cost a waiter its place in the queue. Stops when we give up (timeout, abort, session end).
 */
export async function readThrough<T>(give: GiveUp, read: () => Promise<T>): Promise<T> {
  for (;;) {
    give.check();
    try {
      return await give.race(read());
    } catch (error) {
      if (!isConnectionTrouble(error)) throw error;
    }
    await give.race(retryPause());
  }
}

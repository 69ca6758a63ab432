import { ConnectionLossError, RequestTimeoutError, ThrottledOpError } from '../../client/index.js';
import type { GiveUp } from './give-up.js';

/**
 * The pauses of a loop through connection trouble: the first up to 50 ms, each next ceiling
 * twice the last, at most 500 ms. Requests made while disconnected wait for the reconnect
 * themselves, so a pause only keeps a loop from spinning on errors that come at once (a request
 * timeout, a throttled server); its spread keeps the waiters that lost a connection together from
 * coming back together.
 */
const FIRST_PAUSE_MS = 50;
const LONGEST_PAUSE_MS = 500;

/**
 * Errors that say nothing about the request's outcome, only that its answer did not arrive, or
 * that the server asks us to come back later (a throttled request is not applied): the session
 * may well be fine, and an idempotent step can be repeated. (The client's `isRetryable`, under
 * the name the recipes use for it.)
 */
export function isConnectionTrouble(error: unknown): boolean {
  return (
    error instanceof ConnectionLossError ||
    error instanceof RequestTimeoutError ||
    error instanceof ThrottledOpError
  );
}

/** One loop's pauses: growing, with jitter (half fixed, half random, as the client's retry()). */
export class TroublePauses {
  private ceilingMs = FIRST_PAUSE_MS;

  next(): Promise<void> {
    const ms = this.ceilingMs / 2 + Math.random() * (this.ceilingMs / 2);
    this.ceilingMs = Math.min(LONGEST_PAUSE_MS, this.ceilingMs * 2);
    return new Promise((resolve) => setTimeout(resolve, ms));
  }
}

export interface ThroughTroubleOptions {
  /** Stops the loop (rejecting with its reason) when the wait is given up. */
  readonly give?: GiveUp;
  /** Other errors after which trying again is right (e.g. NoNode while parents are made). */
  readonly again?: (error: unknown) => boolean;
  /** At most this many tries in all; the last error is thrown then. Absent: no limit. */
  readonly tries?: number;
}

/**
 * Runs an idempotent step until it gets an answer: after connection trouble (or an error `again`
 * accepts) it pauses (see TroublePauses) and tries again. Every recipe's retry goes through here.
 */
export async function throughTrouble<T>(
  step: () => Promise<T>,
  options: ThroughTroubleOptions = {},
): Promise<T> {
  const { give, again, tries } = options;
  const pauses = new TroublePauses();
  for (let tried = 1; ; tried++) {
    give?.check();
    try {
      return await (give === undefined ? step() : give.race(step()));
    } catch (error) {
      const retry = isConnectionTrouble(error) || again?.(error) === true;
      if (!retry || (tries !== undefined && tried >= tries)) throw error;
    }
    const pause = pauses.next();
    await (give === undefined ? pause : give.race(pause));
  }
}

/**
 * Runs a read (a listing, an exists with a watch) until it gets an answer: a connection blip must
 * not cost a waiter its place in the queue. Stops when we give up (timeout, abort, session end).
 */
export function readThrough<T>(give: GiveUp, read: () => Promise<T>): Promise<T> {
  return throughTrouble(read, { give });
}

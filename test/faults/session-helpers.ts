import type { WatchEvent, ZooKeeper, ZooKeeperState } from '../../src/index.js';
import { until } from '../support/poll.js';

// Shared by the session fault tests. Every wait here is bounded: a client that never reaches a
// state fails the test with what it did see, instead of hanging until vitest's timeout.

/** Why `lost` was reported (the client does not export its own name for this). */
export type LossCause = 'expired' | 'timeout';

/** One state change as the client reported it, stamped with the monotonic clock. */
export interface StateRecord {
  readonly state: ZooKeeperState;
  readonly previous: ZooKeeperState;
  readonly sessionId: bigint;
  readonly cause: LossCause | undefined;
  /** performance.now() when the listener ran. */
  readonly at: number;
}

/**
 * Every state change of one client from now on. The listener stamps the time synchronously, so
 * `at` is when the client reported the change, not when a test got round to looking.
 */
export class StateLog {
  readonly records: StateRecord[] = [];

  constructor(zk: ZooKeeper) {
    zk.on('state', (state, change) => {
      this.records.push({
        state,
        previous: change.previous,
        sessionId: change.sessionId,
        cause: change.cause,
        at: performance.now(),
      });
    });
  }

  get states(): ZooKeeperState[] {
    return this.records.map((record) => record.state);
  }

  /** The first record of `state` after index `from`, waiting for it at most `timeoutMs`. */
  async waitFor(state: ZooKeeperState, timeoutMs = 20_000, from = 0): Promise<StateRecord> {
    let found: StateRecord | undefined;
    await until(
      () => `state ${state} (seen: ${this.states.join(', ') || 'none'})`,
      () => {
        found = this.records.slice(from).find((record) => record.state === state);
        return found !== undefined;
      },
      { timeoutMs },
    );
    return found!;
  }
}

/** One change as `zk.states()` yields it (the client does not export the type by name). */
export type StateChange =
  ReturnType<ZooKeeper['states']> extends AsyncIterableIterator<infer C> ? C : never;

/**
 * The changes `zk.states()` yields, up to and including the first `last`. Subscribes at once (the
 * iterator buffers from its creation), so call it before causing the changes.
 */
export async function iterateStates(zk: ZooKeeper, last: ZooKeeperState): Promise<StateChange[]> {
  const seen: StateChange[] = [];
  for await (const change of zk.states()) {
    seen.push(change);
    if (change.state === last) break;
  }
  return seen;
}

/** A watch promise with its outcome observable synchronously (to check nothing fired yet). */
export interface TrackedWatch {
  readonly promise: Promise<WatchEvent>;
  readonly events: WatchEvent[];
  /** performance.now() when it settled, or undefined. */
  settledAt: number | undefined;
}

export function track(promise: Promise<WatchEvent>): TrackedWatch {
  const tracked: TrackedWatch = { promise, events: [], settledAt: undefined };
  void promise.then((event) => {
    tracked.events.push(event);
    tracked.settledAt = performance.now();
  });
  return tracked;
}

/** Sum of one counter over several proxies' `counts()`. */
export function sum<T>(items: readonly T[], pick: (item: T) => number): number {
  return items.reduce((total, item) => total + pick(item), 0);
}

import type { LossCause, SessionState } from './session/session-types.js';

/** One change of the session's state, as `zk.on('state', …)` and `zk.states()` report it. */
export interface StateChange {
  readonly state: SessionState;
  readonly previous: SessionState;
  /**
   * The session the change is about: for `lost`, the session that was lost; for `connected`
   * after a loss, the new one.
   */
  readonly sessionId: bigint;
  /** For `lost`: the server reported the expiry, or the client's own session timer ran out. */
  readonly cause?: LossCause;
}

/**
 * An async iterator over state changes from now on: buffered, so a slow consumer misses none;
 * it ends after `closed`, or when `signal` aborts.
 */
export function stateStream(
  subscribe: (listener: (change: StateChange) => void) => () => void,
  signal?: AbortSignal,
): AsyncIterableIterator<StateChange> {
  const buffered: StateChange[] = [];
  // Every pending next(): the iterator protocol allows several at once.
  const waiters: (() => void)[] = [];
  const wake = (): void => {
    for (const waiter of waiters.splice(0)) waiter();
  };
  let ended = false;
  const end = (): void => {
    ended = true;
    unsubscribe();
    signal?.removeEventListener('abort', end);
    wake();
  };
  const unsubscribe = subscribe((change) => {
    buffered.push(change);
    if (change.state === 'closed') {
      ended = true;
      unsubscribe();
    }
    wake();
  });
  if (signal?.aborted === true) end();
  else signal?.addEventListener('abort', end);

  const iterator: AsyncIterableIterator<StateChange> = {
    async next(): Promise<IteratorResult<StateChange>> {
      for (;;) {
        const change = buffered.shift();
        if (change !== undefined) return { value: change, done: false };
        if (ended) return { value: undefined, done: true };
        await new Promise<void>((resolve) => {
          waiters.push(resolve);
        });
      }
    },
    return(): Promise<IteratorResult<StateChange>> {
      end();
      buffered.length = 0;
      return Promise.resolve({ value: undefined, done: true });
    },
    [Symbol.asyncIterator]() {
      return iterator;
    },
  };
  return iterator;
}

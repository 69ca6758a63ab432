import { callIsolated } from './isolated-call.js';
import type { Session } from './session/session.js';
import type { SessionState } from './session/session-types.js';
import { stateStream } from './state-stream.js';
import type { StateChange } from './state-stream.js';

/** Told of every state change; see `ZooKeeper.observeState`. */
export type StateObserver = (state: SessionState, change: StateChange) => void;

/**
 * Hands the session's state changes on: first to the observers, each apart (one that throws stops
 * neither the others nor the event), then to `emit`, the public `'state'` event. The observers
 * alone also hear, with the state unchanged, when the session asks for a recheck: as close()
 * begins, so that whatever holds something on the session lets go before closeSession is written
 * (and so before the server can delete our nodes), and when its trust deadline passes.
 */
export class StateObservers {
  private readonly observers = new Set<StateObserver>();

  constructor(session: Session, emit: (state: SessionState, change: StateChange) => void) {
    let previous = session.state;
    session.onStateChange = (state, detail) => {
      const change: StateChange = { state, previous, ...detail };
      previous = state;
      this.tell(state, change);
      emit(state, change);
    };
    session.onRecheck = () => {
      const state = session.state;
      this.tell(state, { state, previous: state, sessionId: session.sessionId });
    };
  }

  /** Adds an observer; returns the function that removes it. */
  add(observer: StateObserver): () => void {
    this.observers.add(observer);
    return () => this.observers.delete(observer);
  }

  /**
   * The changes from now on as an async iterator (see stateStream). Observed, so a user's
   * 'state' listener that throws cannot starve it; the close notice is no change and not in it.
   */
  stream(signal: AbortSignal | undefined): AsyncIterableIterator<StateChange> {
    return stateStream(
      (listener) =>
        this.add((_state, change) => {
          if (change.state !== change.previous) listener(change);
        }),
      signal,
    );
  }

  private tell(state: SessionState, change: StateChange): void {
    // A snapshot: an observer may add or remove observers (a lease ending, a new one starting).
    for (const observer of [...this.observers]) {
      callIsolated(() => {
        observer(state, change);
      });
    }
  }
}

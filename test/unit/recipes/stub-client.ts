import type { StateObserver, ZooKeeperState } from '../../../src/index.js';

/** The session a StubClient starts in, and the owner of the nodes the tests hand to leases. */
export const OWNER = 0x1234n;

/** Just what a Lease (or a wait) reads of its client, every field settable by the test. */
export class StubClient {
  state: ZooKeeperState = 'connected';
  sessionId = OWNER;
  sessionDeadline: number | undefined = performance.now() + 60_000;
  closing = false;
  readonly observers = new Set<StateObserver>();
  readonly deleted: string[] = [];
  delete(path: string): Promise<void> {
    this.deleted.push(path);
    return Promise.resolve();
  }
  observeState(observer: StateObserver): () => void {
    this.observers.add(observer);
    return () => this.observers.delete(observer);
  }
  /** A new session opens, trusted for a minute: `connected` is told with its id. */
  openSession(sessionId: bigint): void {
    this.sessionId = sessionId;
    this.sessionDeadline = performance.now() + 60_000;
    this.become('connected');
  }

  /** Moves to `state` and tells the observers, as the client does. */
  become(state: ZooKeeperState): void {
    const previous = this.state;
    this.state = state;
    for (const observer of [...this.observers])
      observer(state, { state, previous, sessionId: this.sessionId });
  }
}

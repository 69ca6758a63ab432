import { NoAuthError, NoNodeError } from '../../client/index.js';
import type { WatchEvent, ZooKeeper } from '../../client/index.js';
import { isConnectionTrouble, TroublePauses } from './connection-trouble.js';

/** How a watched node's watch ended: the node is gone, or the session that watched it is. */
export type NodeWatchEnd = 'deleted' | 'sessionEnded';

/**
 * A standing watch on one node (ours, in a lock queue): set as soon as the node exists, re-set
 * after any event but its deletion, and kept through reconnects (the client re-registers it).
 * Setting it while we wait in the queue, not when we get the lock, keeps that request off the
 * hand-over path.
 */
export class NodeWatch {
  /** Settles once: when the node was deleted (or found missing), or the session ended. */
  readonly ended: Promise<NodeWatchEnd>;
  private settle: (end: NodeWatchEnd) => void = () => undefined;
  private stopped = false;

  constructor(
    private readonly zk: ZooKeeper,
    private readonly path: string,
  ) {
    this.ended = new Promise((resolve) => {
      this.settle = resolve;
    });
    void this.run();
  }

  /** Stops re-setting the watch (the last one may still fire; it is ignored). */
  stop(): void {
    this.stopped = true;
  }

  private async run(): Promise<void> {
    let pauses = new TroublePauses();
    while (!this.stopped) {
      let event;
      try {
        const watch = await watchIfPresent(this.zk, this.path);
        if (watch === null) {
          this.end('deleted');
          return;
        }
        pauses = new TroublePauses();
        event = await watch.event;
      } catch (error) {
        if (isConnectionTrouble(error)) {
          // The watch may not be set: set it again once the connection is back.
          await pauses.next();
          continue;
        }
        this.end('sessionEnded');
        return;
      }
      if (event.type === 'nodeDeleted') this.end('deleted');
      if (event.type === 'watchLost') this.end('sessionEnded');
    }
  }

  private end(end: NodeWatchEnd): void {
    if (this.stopped) return;
    this.stopped = true;
    this.settle(end);
  }
}

/**
 * A watch set on a node; `event` settles with its first event. Wrapped, because an async
 * function that returns a promise hands out what that promise settles with, not the promise.
 */
export interface NodeWatchSet {
  readonly event: Promise<WatchEvent>;
}

/**
 * A watch on a node if it exists, else null. getData and not exists: exists on a missing node
 * would leave a watch for its creation, which for a sequential name never comes, on the server
 * and in the client until the session ends. A node we may not read (another library's contender
 * with its own ACL) exists, so exists is safe for it. Once `signal` aborts, the client forgets
 * the watch.
 */
export async function watchIfPresent(
  zk: ZooKeeper,
  path: string,
  signal?: AbortSignal,
): Promise<NodeWatchSet | null> {
  const options =
    signal === undefined ? { watch: true as const } : { watch: true as const, signal };
  try {
    return { event: (await zk.getData(path, options)).watch };
  } catch (error) {
    if (error instanceof NoNodeError) return null;
    if (!(error instanceof NoAuthError)) throw error;
  }
  const { stat, watch } = await zk.exists(path, options);
  return stat === null ? null : { event: watch };
}

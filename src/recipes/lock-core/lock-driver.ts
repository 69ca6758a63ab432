import type { Participant } from '../coordination/node-names.js';

/** How one kind of lock reads the queue (Curator's "lock internals driver"). */
export interface LockDriver {
  /** Our node's name before the sequence number, e.g. `lock-`. */
  readonly nodeName: string;
  /**
   * The node names (before the sequence number) that take part in this lock's queue: ours first,
   * then those of other libraries that contend on the same path.
   */
  readonly markers: readonly string[];
  /** Undefined when the node at `ourIndex` holds the lock; else the name of the node to wait for. */
  readonly blocker: (queue: readonly Participant[], ourIndex: number) => string | undefined;
}

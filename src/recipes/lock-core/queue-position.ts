import type { Participant } from '../coordination/node-names.js';
import type { LockDriver } from './lock-driver.js';

/** Where a waiter stands in a listing of the queue, and what it watches from there. */
export interface Standing {
  /** 0 when we hold the lock; else our index in the listing. */
  readonly position: number;
  /** The node we wait for; undefined when we hold the lock. */
  readonly blocker: string | undefined;
  /**
   * The node ahead of the blocker, watched too when the blocker is right ahead of us: when it
   * goes, the blocker usually holds the lock, and we list while it does, not on the hand-over.
   * Only then: readers share their blocker (the writer ahead), and all of them watching the node
   * before it would wake together.
   */
  readonly ahead: string | undefined;
  /**
   * What of this listing stays true for the next step: the nodes up to ours, while the head is
   * our blocker or the node ahead of it; else nothing (any deletion means listing again). Only the
   * nodes up to ours are kept, so that many waiters do not each keep them all.
   */
  readonly kept: readonly Participant[];
}

/** Our standing in `queue` (sorted) under `driver`'s rule; undefined when our node is not in it. */
export function standingIn(
  queue: readonly Participant[],
  ourName: string,
  driver: LockDriver,
): Standing | undefined {
  const ourIndex = queue.findIndex((p) => p.name === ourName);
  if (ourIndex === -1) return undefined;
  const blocker = driver.blocker(queue, ourIndex);
  if (blocker === undefined) return { position: 0, blocker, ahead: undefined, kept: queue };
  const blockerIndex = queue.findIndex((p) => p.name === blocker);
  const ahead =
    blockerIndex > 0 && blockerIndex === ourIndex - 1 ? queue[blockerIndex - 1]?.name : undefined;
  const kept = blockerIndex >= 0 && blockerIndex <= 1 ? queue.slice(0, ourIndex + 1) : [];
  return { position: ourIndex, blocker, ahead, kept };
}

/**
 * The listing after `gone` was deleted, without asking the server, or undefined when only a new
 * listing can tell. Nodes created after ours have higher sequence numbers, so the nodes ahead of
 * us can only go away, never arrive: when the head of a kept listing goes, the rest is still true.
 */
export function afterDeletion(
  kept: readonly Participant[],
  gone: string,
): readonly Participant[] | undefined {
  return kept[0]?.name === gone ? kept.slice(1) : undefined;
}

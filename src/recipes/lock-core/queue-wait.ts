import { SessionExpiredError } from '../../client/index.js';
import type { Data, ZooKeeper } from '../../client/index.js';
import { LeaseLostError } from '../coordination/errors.js';
import { readThrough } from '../coordination/connection-trouble.js';
import { GiveUp } from '../coordination/give-up.js';
import type { AcquireOptions } from '../coordination/give-up.js';
import { deleteUntilGone } from '../coordination/delete-owned.js';
import { unwrappedQueue } from '../coordination/node-names.js';
import type { Participant } from '../coordination/node-names.js';
import { NodeWatch, watchIfPresent } from '../coordination/node-watch.js';
import type { NodeWatchSet } from '../coordination/node-watch.js';
import { protectedCreate } from '../coordination/protected-create.js';
import type { CreatedNode } from '../coordination/protected-create.js';
import type { LockDriver } from './lock-driver.js';
import { afterDeletion, standingIn } from './queue-position.js';

export interface WaitOptions extends AcquireOptions {
  /** Told our place in the queue (0 = holding) each time it changes. */
  readonly onPosition?: (position: number) => void;
}

/** What a successful acquire hands to the lease: our node and the watch already set on it. */
export interface QueuedNode {
  readonly node: CreatedNode;
  readonly ownNode: NodeWatch;
}

/**
 * Queues for a lock at `path` and waits, watching the node we are blocked by (no herd), until
 * we hold it. With `wait: false`, leaves the queue at once when not first. A waiter that
 * gives up (timeout, abort, session loss) deletes its node, so the queue moves on.
 *
 * Nodes created after ours get higher sequence numbers (the parent exists as long as our node
 * does, and a listing whose numbers have wrapped is refused), so the nodes ahead of us can only
 * go away, never arrive. When a node that goes is the first of our last listing, the rest of that
 * listing is still true without it, and we go on from there (holding the lock when it was our
 * blocker) without listing again; when another node goes, entries of the listing may be stale,
 * and we list again.
 *
 * To keep that listing off the hand-over, a waiter whose blocker is right ahead of it also
 * watches the node ahead of the blocker: when that goes, the blocker usually holds the lock, and
 * we list while it does. The blocker then heads our listing, and its release hands the lock to
 * us with no request of ours in between. A deletion so wakes at most two waiters (readers
 * sharing a blocker excepted, as before), and a hand-over costs the releaser's delete plus one
 * listing made before it.
 */
export async function acquireNode(
  zk: ZooKeeper,
  path: string,
  driver: LockDriver,
  data: Data,
  options: WaitOptions & { readonly wait: boolean },
): Promise<QueuedNode | undefined> {
  const give = new GiveUp(zk, path, options);
  // Ends the watches on nodes ahead of us when we stop waiting, however we stop: a waiter that
  // gives up behind a long hold must not leave its listeners behind in the client.
  const waited = new AbortController();
  let node: CreatedNode | undefined;
  let ownNode: NodeWatch | undefined;
  try {
    node = await createNode(zk, path, driver.nodeName, data, give);
    // Ours alone first: on a wrapped parent nothing more is sent before we refuse.
    unwrappedQueue(path, [node.name], driver.markers);
    // Issued in the same tick as the listing below, so both leave in one write.
    ownNode = new NodeWatch(zk, node.path);
    const list = async (): Promise<readonly Participant[]> =>
      unwrappedQueue(
        path,
        (await readThrough(give, () => zk.getChildren(path))).children,
        driver.markers,
      );
    const watch = (name: string): Promise<NodeWatchSet | null> =>
      readThrough(give, () => watchIfPresent(zk, `${path}/${name}`, waited.signal));
    let queue = await list();
    const name = node.name;
    let lastPosition = -1;
    // Watches outlive a listing that finds the same blocker or node ahead: no second request.
    const watching = new Map<string, NodeWatchSet>();
    const watchOnce = async (which: string): Promise<NodeWatchSet | null> => {
      const known = watching.get(which);
      if (known !== undefined) return known;
      const set = await watch(which);
      if (set !== null) watching.set(which, set);
      return set;
    };
    for (;;) {
      give.check();
      const standing = standingIn(queue, name, driver);
      if (standing === undefined) throw new LeaseLostError(node.path, 'nodeDeleted');
      const { position, blocker, ahead } = standing;
      if (position !== lastPosition) options.onPosition?.(position);
      lastPosition = position;
      if (blocker === undefined) return { node, ownNode };
      if (!options.wait) {
        ownNode.stop();
        await deleteUntilGone(zk, node.path, node.stat.ephemeralOwner);
        return undefined;
      }
      queue = standing.kept;
      const gone = async (which: string): Promise<readonly Participant[]> => {
        watching.delete(which);
        return afterDeletion(queue, which) ?? list();
      };
      for (const which of watching.keys())
        if (which !== blocker && which !== ahead) watching.delete(which);
      const [blockerEvent, aheadEvent] = await Promise.all([
        watchOnce(blocker),
        ahead === undefined ? null : watchOnce(ahead),
      ]);
      if (blockerEvent === null) {
        queue = await gone(blocker);
        continue;
      }
      if (ahead !== undefined && aheadEvent === null) {
        queue = await gone(ahead);
        continue;
      }
      const aheadGoes =
        ahead === undefined || aheadEvent === null
          ? []
          : [aheadEvent.event.then((event) => ({ node: ahead, event }))];
      const outcome = await give.race(
        Promise.race([
          blockerEvent.event.then((event) => ({ node: blocker, event })),
          ...aheadGoes,
          ownNode.ended.then((end) => ({ end })),
        ]),
      );
      if ('end' in outcome) {
        give.check();
        if (outcome.end === 'deleted') throw new LeaseLostError(node.path, 'nodeDeleted');
        throw new SessionExpiredError(node.path);
      }
      if (outcome.event.type === 'nodeDeleted') {
        queue = await gone(outcome.node);
      } else {
        // watchLost (the session ended, and give.check() says how, or the watch was removed) or
        // a data change: the loop watches that node again, from a fresh listing if we kept none.
        watching.delete(outcome.node);
        give.check();
        if (queue.length === 0) queue = await list();
      }
    }
  } catch (error) {
    ownNode?.stop();
    if (node !== undefined) {
      void deleteUntilGone(zk, node.path, node.stat.ephemeralOwner).catch(() => undefined);
    }
    throw give.reason() ?? error;
  } finally {
    waited.abort();
    give.dispose();
  }
}

/**
 * A protected create of `<parent>/_c_<uuid>-<name><seq>` that stops waiting when we give up; a
 * create that completes after that has its node deleted, so it cannot stay behind.
 */
export async function createNode(
  zk: ZooKeeper,
  parent: string,
  name: string,
  data: Data,
  give: GiveUp,
): Promise<CreatedNode> {
  const creating = protectedCreate(zk, parent, name, data, () => {
    give.check();
  });
  const removeLate = (late: CreatedNode): void => {
    void deleteUntilGone(zk, late.path, late.stat.ephemeralOwner).catch(() => undefined);
  };
  const node = await give.race(creating).catch((error: unknown) => {
    void creating.then(removeLate, () => undefined);
    throw error;
  });
  // Made on a session other than the one we waited in (ours was lost meanwhile): ours is gone.
  give.ownedBy(node.stat.ephemeralOwner);
  if (give.signal.aborted) removeLate(node);
  give.check();
  return node;
}

import type { Data, ZooKeeper } from '../../client/index.js';
import { LeaseLostError } from './errors.js';
import { GiveUp } from './give-up.js';
import type { AcquireOptions } from './give-up.js';
import { deleteUntilGone } from './lease.js';
import { queueOrder } from './node-names.js';
import type { Participant } from './node-names.js';
import { protectedCreate } from './protected-create.js';
import type { CreatedNode } from './protected-create.js';

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

export interface WaitOptions extends AcquireOptions {
  /** Told our place in the queue (0 = holding) each time it changes. */
  readonly onPosition?: (position: number) => void;
}

/**
 * Queues for a lock at `path` and waits, watching only the node we are blocked by (no herd),
 * until we hold it. With `wait: false`, leaves the queue at once when not first. A waiter that
 * gives up (timeout, abort, session loss) deletes its node, so the queue moves on.
 */
export async function acquireNode(
  zk: ZooKeeper,
  path: string,
  driver: LockDriver,
  data: Data,
  options: WaitOptions & { readonly wait: boolean },
): Promise<CreatedNode | undefined> {
  const give = new GiveUp(zk, path, options);
  let node: CreatedNode | undefined;
  try {
    node = await createNode(zk, path, driver.nodeName, data, give);
    let lastPosition = -1;
    for (;;) {
      give.check();
      const { children } = await give.race(zk.getChildren(path));
      give.check();
      const queue = queueOrder(children, driver.markers);
      const ourIndex = queue.findIndex((p) => p.name === node?.name);
      if (ourIndex === -1) throw new LeaseLostError(node.path, 'nodeDeleted');
      const blocker = driver.blocker(queue, ourIndex);
      const position = blocker === undefined ? 0 : ourIndex;
      if (position !== lastPosition) options.onPosition?.(position);
      lastPosition = position;
      if (blocker === undefined) return node;
      if (!options.wait) {
        await deleteUntilGone(zk, node.path);
        return undefined;
      }
      const { stat, watch } = await give.race(zk.exists(`${path}/${blocker}`, { watch: true }));
      if (stat === null) continue;
      const event = await give.race(watch);
      if (event.type === 'watchLost') give.check();
    }
  } catch (error) {
    if (node !== undefined) void deleteUntilGone(zk, node.path).catch(() => undefined);
    throw give.reason() ?? error;
  } finally {
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
  return give.race(creating).catch((error: unknown) => {
    void creating.then((late) => deleteUntilGone(zk, late.path)).catch(() => undefined);
    throw error;
  });
}

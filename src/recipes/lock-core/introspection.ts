import { NoNodeError } from '../../client/index.js';
import type { Stat, ZooKeeper } from '../../client/index.js';
import type { LockDriver } from './lock-driver.js';
import { queueOrder } from '../coordination/node-names.js';

/** One node in a lock's queue. */
export interface QueueEntry {
  readonly name: string;
  readonly path: string;
  readonly sequence: number;
  /** Whether this node holds the lock (for shared locks, several may). */
  readonly holds: boolean;
  /** The node's data: by default JSON naming the holder's host and pid. */
  readonly data: Buffer;
  /** The node's Stat: `ephemeralOwner` is the contender's session, `ctime` when it queued. */
  readonly stat: Stat;
}

/** The queue of a lock, in order, each entry with its data; nodes that vanish meanwhile are left out. */
export async function describeQueue(
  zk: ZooKeeper,
  path: string,
  driver: LockDriver,
): Promise<QueueEntry[]> {
  let children: string[];
  try {
    ({ children } = await zk.getChildren(path));
  } catch (error) {
    if (error instanceof NoNodeError) return [];
    throw error;
  }
  const queue = queueOrder(children, driver.markers);
  const reads = queue.map(async ({ name, sequence }, index): Promise<QueueEntry | undefined> => {
    const nodePath = `${path}/${name}`;
    try {
      const { data, stat } = await zk.getData(nodePath);
      return {
        name,
        path: nodePath,
        sequence,
        holds: driver.blocker(queue, index) === undefined,
        data,
        stat,
      };
    } catch (error) {
      if (error instanceof NoNodeError) return undefined;
      throw error;
    }
  });
  return (await Promise.all(reads)).filter((entry): entry is QueueEntry => entry !== undefined);
}

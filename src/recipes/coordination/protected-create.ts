import { NoNodeError } from '../../client/index.js';
import type { Data, Stat, ZooKeeper } from '../../client/index.js';
import { isConnectionTrouble, throughTrouble, TroublePauses } from './connection-trouble.js';
import { protectedPrefix } from './node-names.js';
import { ensureContainers } from './parents.js';

export interface CreatedNode {
  /** The full path of our node. */
  readonly path: string;
  /** Its name under the parent. */
  readonly name: string;
  readonly stat: Stat;
}

/**
 * Creates an ephemeral-sequential node `<parent>/_c_<uuid>-<name><seq>` (Curator's protected
 * layout). When the reply is lost (connection loss, request timeout) the node may or may not
 * exist: we look for it by its uuid and adopt it only when our session owns it; a node of another
 * (older) session is deleted, and we try again with a fresh uuid. So no orphan node is left
 * behind to block a queue. A missing parent is created as a container, also when the server
 * reaped it between two steps.
 */
export async function protectedCreate(
  zk: ZooKeeper,
  parent: string,
  name: string,
  data: Data,
  checkAborted: () => void,
): Promise<CreatedNode> {
  const pauses = new TroublePauses();
  for (;;) {
    checkAborted();
    const prefix = protectedPrefix();
    try {
      const created = await zk.create(`${parent}/${prefix}${name}`, data, {
        mode: 'ephemeral-sequential',
      });
      return {
        path: created.path,
        name: created.path.slice(parent.length + 1),
        stat: created.stat,
      };
    } catch (error) {
      if (error instanceof NoNodeError) {
        await containersThrough(zk, parent);
        continue;
      }
      if (!isConnectionTrouble(error)) throw error;
    }
    const found = await findOurs(zk, parent, prefix);
    if (found !== undefined) return found;
    await pauses.next();
  }
}

/** Creates the missing parents; connection trouble only sends us round the loop, which may give up. */
async function containersThrough(zk: ZooKeeper, parent: string): Promise<void> {
  try {
    await ensureContainers(zk, parent);
  } catch (error) {
    if (!isConnectionTrouble(error)) throw error;
  }
}

/**
 * Looks for the node a create with a lost reply may have made. `sync` first, so a server we
 * reconnected to has applied everything the leader committed before we look.
 */
async function findOurs(
  zk: ZooKeeper,
  parent: string,
  prefix: string,
): Promise<CreatedNode | undefined> {
  const look = async (): Promise<CreatedNode | undefined> => {
    try {
      await zk.sync(parent);
      const { children } = await zk.getChildren(parent);
      const name = children.find((child) => child.startsWith(prefix));
      if (name === undefined) return undefined;
      const path = `${parent}/${name}`;
      const stat = await zk.exists(path);
      if (stat === null) return undefined;
      if (stat.ephemeralOwner === zk.sessionId) return { path, name, stat };
      // Made by a session we no longer have: it would block the queue until it expires.
      await deleteQuietly(zk, path);
      return undefined;
    } catch (error) {
      if (error instanceof NoNodeError) return undefined;
      throw error;
    }
  };
  return throughTrouble(look);
}

async function deleteQuietly(zk: ZooKeeper, path: string): Promise<void> {
  try {
    await zk.delete(path);
  } catch (error) {
    if (!(error instanceof NoNodeError)) throw error;
  }
}

import {
  AuthFailedError,
  ClientClosedError,
  NoNodeError,
  NotReadOnlyError,
  SessionExpiredError,
} from '../../client/index.js';
import type { ZooKeeper } from '../../client/index.js';
import { throughTrouble } from './connection-trouble.js';

/**
 * Deletes an ephemeral node of session `owner` until it is confirmed gone: through connection
 * loss and request timeouts it tries again; when the session or the client ends, the server
 * removes the node itself, so there is nothing left to do — and a delete sent on a later session
 * would only wait for that session to connect, however long the outage. On a read-only server the
 * node is an earlier session's (a read-only server's own sessions cannot create nodes), already
 * reported lost: the quorum deletes it when it expires it.
 */
export async function deleteUntilGone(zk: ZooKeeper, path: string, owner: bigint): Promise<void> {
  await throughTrouble(async () => {
    if (zk.sessionId !== owner) return;
    try {
      await zk.delete(path);
    } catch (error) {
      if (error instanceof NoNodeError) return;
      if (error instanceof SessionExpiredError || error instanceof ClientClosedError) return;
      if (error instanceof NotReadOnlyError) return;
      // The client stopped for good; the node goes with the session when it expires.
      if (error instanceof AuthFailedError) return;
      throw error;
    }
  });
}

import { OpCode } from '../../protocol/index.js';
import type { Connection } from '../transport/connection.js';
import type { Opened } from '../transport/connector.js';
import { ClientClosedError } from '../errors.js';
import { Request } from './request.js';
import { settleWithin } from './settle-within.js';

/**
 * Sends closeSession on `connection` and waits for its answer, at most `waitMs`: the server then
 * deletes the session's ephemeral nodes at once. Never rejects; whatever happens, the caller ends
 * the connection next.
 */
export async function sendCloseSession(
  connection: Connection,
  xid: number,
  waitMs: number,
): Promise<void> {
  const answered = new Promise<void>((resolve) => {
    const done = (): void => {
      resolve();
    };
    connection.sendOrFail(
      new Request(xid, OpCode.closeSession, undefined, null, done, done, undefined),
      null,
      undefined,
    );
    // Out now: a close that follows within the tick (a wait of ~0 ms) must not drop it.
    connection.flush();
  });
  await settleWithin(answered, waitMs);
}

/**
 * Ends a session the client gave up on (its own timer ran out) that a server may still keep:
 * resumed on `opened` only to send closeSession, so that its ephemerals go now, not at expiry.
 */
export async function endStaleSession(opened: Opened, xid: number, waitMs: number): Promise<void> {
  if (opened.response.timeOut > 0) await sendCloseSession(opened.connection, xid, waitMs);
  opened.connection.close(new ClientClosedError());
}

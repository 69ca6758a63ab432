import { OpCode } from '../../protocol/index.js';
import type { Opened } from '../transport/connector.js';
import type { Transport, TransportEvents } from '../transport/transport.js';
import { ClientClosedError } from '../errors.js';
import { PendingRequests } from './pending-requests.js';
import { Request } from './request.js';
import { settleWithin } from './settle-within.js';

/**
 * Sends closeSession on `transport` and waits for its answer, at most `waitMs`: the server then
 * deletes the session's ephemeral nodes at once. Never rejects; whatever happens, the caller ends
 * the connection next.
 */
export async function sendCloseSession(
  pending: PendingRequests,
  transport: Transport,
  xid: number,
  waitMs: number,
): Promise<void> {
  const answered = new Promise<void>((resolve) => {
    const done = (): void => {
      resolve();
    };
    pending.send(
      transport,
      new Request(xid, OpCode.closeSession, undefined, null, done, done, undefined),
      null,
      undefined,
    );
    // Out now: a close that follows within the tick (a wait of ~0 ms) must not drop it.
    transport.flush();
  });
  await settleWithin(answered, waitMs);
}

/**
 * Ends a session the client gave up on (its own timer ran out) that a server may still keep:
 * resumed on a connection of its own, with requests of its own, only to send closeSession, so
 * that its ephemerals go now, not at expiry.
 */
export class StaleSessionEnd {
  private readonly pending: PendingRequests;
  private transport: Transport | undefined;
  private closed = false;
  /** For the connection that resumes the stale session: its replies matter, nothing else. */
  readonly events: TransportEvents;

  /** `onZxid`: the newest zxid matters to the next session too, which must not go back in time. */
  constructor(onZxid: (zxid: bigint) => void) {
    const pending = new PendingRequests(0, { onZxid, onAnswered: () => undefined });
    this.pending = pending;
    this.events = {
      onReply: (transport, header, reader, receivedAt) => {
        pending.replied(transport, header, reader, receivedAt);
      },
      onClose: (transport, error) => {
        pending.transportClosed(transport, error);
      },
      onNotification: () => undefined,
      onAuthReply: () => undefined,
      onAnswered: () => undefined,
    };
  }

  async run(opened: Opened, xid: number, waitMs: number): Promise<void> {
    this.transport = opened.connection;
    // close() came while the connection was still being opened: nothing to wait for.
    if (opened.response.timeOut > 0 && !this.closed) {
      await sendCloseSession(this.pending, opened.connection, xid, waitMs);
    }
    this.close();
  }

  close(): void {
    this.closed = true;
    this.transport?.close(new ClientClosedError());
  }
}

import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import type { HostAddress, ZooKeeper } from '../client/index.js';
import {
  ConnectRequest,
  ConnectResponse,
  DEFAULT_MAX_RESPONSE_FRAME,
  FrameSplitter,
  JuteReader,
  JuteWriter,
  OpCode,
  ReplyHeader,
  RequestHeader,
} from '../protocol/index.js';
import { ExpireSessionError, SessionNotFoundError } from './errors.js';
import { parseHostPort } from './host-port.js';

export interface ExpireSessionOptions {
  /** `host:port` of the server to send the close to. Default: the one the client is connected to. */
  server?: string;
  /** Bound on the whole operation, retries included. Default 10000 ms. */
  timeoutMs?: number;
}

/** What expireSession() reads from the client: the session's identity and where it lives. */
export type SessionHolder = Pick<
  ZooKeeper,
  'sessionId' | 'sessionPassword' | 'connectedServer' | 'sessionTimeout'
>;

const DEFAULT_TIMEOUT_MS = 10_000;
const CLOSE_XID = 1;
/** A ConnectResponse without the readOnly byte; anything shorter is a bare error header. */
const SHORTEST_CONNECT_RESPONSE = 36;
const RETRY_PAUSE_MS = 50;

type Attempt =
  | { readonly outcome: 'closed' }
  | { readonly outcome: 'unknown' }
  /** The socket ended first, e.g. because the client's own reconnect took the session back. */
  | { readonly outcome: 'dropped'; readonly resumed: boolean; readonly reason: string };

/**
 * Ends `zk`'s session on the server, as a real expiry does: ephemerals deleted, other clients'
 * watches fired, and `zk` told "session expired" when it reconnects. A second connection resumes
 * the session with its id and password, which makes the server drop `zk`'s own connection, and
 * sends closeSession. Resolves once the server has answered the close. Rejects with
 * SessionNotFoundError if the server does not know the session, and with ExpireSessionError when
 * there is no server to ask or no answer in time.
 */
export async function expireSession(
  zk: SessionHolder,
  options: ExpireSessionOptions = {},
): Promise<void> {
  const sessionId = zk.sessionId;
  if (sessionId === 0n) throw new ExpireSessionError('the client has no session yet');
  const server =
    options.server === undefined ? zk.connectedServer : parseHostPort(options.server, 'server');
  if (server === undefined) {
    throw new ExpireSessionError('the client is not connected now; pass options.server');
  }
  const request: ConnectRequest = {
    protocolVersion: 0,
    lastZxidSeen: 0n,
    timeOut: zk.sessionTimeout > 0 ? zk.sessionTimeout : 30_000,
    sessionId,
    passwd: zk.sessionPassword,
    readOnly: false,
  };
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const deadline = performance.now() + timeoutMs;
  const where = `${server.host}:${server.port}`;
  const id = `0x${sessionId.toString(16)}`;
  let resumedBefore = false;
  for (;;) {
    const remaining = deadline - performance.now();
    const attempt =
      remaining > 0
        ? await closeOnce(server, request, remaining)
        : ({ outcome: 'dropped', resumed: false, reason: 'out of time' } as const);
    if (attempt.outcome === 'closed') return;
    if (attempt.outcome === 'unknown') {
      // Resumed earlier, then lost to a race: our close (or the expiry we raced) ended it.
      if (resumedBefore) return;
      throw new SessionNotFoundError(`${where} does not know session ${id} (expired or closed)`);
    }
    resumedBefore ||= attempt.resumed;
    if (performance.now() >= deadline) {
      throw new ExpireSessionError(
        `could not close session ${id} on ${where} within ${timeoutMs} ms: ${attempt.reason}`,
      );
    }
    await sleep(RETRY_PAUSE_MS);
  }
}

/**
 * One connection: ConnectRequest and closeSession in one write (the server holds what follows
 * the ConnectRequest until the session is set up), so the window in which the client's own
 * reconnect can take the session back before the close is as short as it can be.
 */
function closeOnce(
  server: HostAddress,
  request: ConnectRequest,
  timeoutMs: number,
): Promise<Attempt> {
  return new Promise<Attempt>((resolve, reject) => {
    const socket = net.connect({ host: server.host, port: server.port, noDelay: true });
    const splitter = new FrameSplitter(DEFAULT_MAX_RESPONSE_FRAME);
    let handshaken = false;
    /** The server confirmed the session was alive. */
    let resumed = false;
    let settled = false;
    const settle = (result: Attempt | Error): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      if (result instanceof Error) reject(result);
      else resolve(result);
    };
    const timer = setTimeout(() => {
      settle({ outcome: 'dropped', resumed, reason: 'no answer in time' });
    }, timeoutMs);

    socket.on('connect', () => {
      const writer = new JuteWriter(128);
      const connect = writer.beginFrame();
      ConnectRequest.write(writer, request);
      writer.endFrame(connect);
      const close = writer.beginFrame();
      RequestHeader.write(writer, { xid: CLOSE_XID, type: OpCode.closeSession });
      writer.endFrame(close);
      socket.write(writer.finish());
    });
    socket.on('data', (chunk: Buffer) => {
      try {
        splitter.push(chunk, (frame) => {
          if (!handshaken) {
            handshaken = true;
            if (frame.length < SHORTEST_CONNECT_RESPONSE) {
              const { err } = ReplyHeader.read(new JuteReader(frame));
              throw new ExpireSessionError(`the server refused the connection (err ${err})`);
            }
            const response = ConnectResponse.read(new JuteReader(frame));
            if (response.timeOut === 0) settle({ outcome: 'unknown' });
            else resumed = true;
            return;
          }
          const header = ReplyHeader.read(new JuteReader(frame));
          if (header.xid !== CLOSE_XID) return;
          settle(
            header.err === 0
              ? { outcome: 'closed' }
              : new ExpireSessionError(`the server answered closeSession with err ${header.err}`),
          );
        });
      } catch (error) {
        settle(
          error instanceof ExpireSessionError
            ? error
            : new ExpireSessionError(`unreadable answer from the server: ${String(error)}`, {
                cause: error,
              }),
        );
      }
    });
    socket.on('error', (error) => {
      settle({ outcome: 'dropped', resumed, reason: error.message });
    });
    socket.on('close', () => {
      settle({ outcome: 'dropped', resumed, reason: 'the server closed the connection' });
    });
  });
}

import type {
  AuthPacket,
  ConnectRequest,
  ConnectResponse,
  JuteReader,
  RecordCodec,
  ReplyHeader,
  WatcherEvent,
} from '../../protocol/index.js';
import type { HostAddress } from '../connect-string.js';
import type { ZooKeeperTlsOptions } from '../types.js';

/**
 * What the session sees of one connection to one server, once the handshake is done: `Connection`
 * over a socket, or a fake in the session's unit tests. Frames in, frames out; which request a
 * reply answers, and what it means, is the session's business (see session/pending-requests.ts).
 */
export interface Transport {
  readonly server: HostAddress;
  readonly isOpen: boolean;
  /** When the handshake left (monotonic ms): the session was created or touched after it. */
  readonly handshakeSentAt: number;
  /** The same moment on the wall clock (Date.now()), to tell a host suspend since. */
  readonly handshakeSentAtWall: number;
  /** Set by whoever drops the connection to have the session reconnect without a pause. */
  promptReconnect: boolean;
  /**
   * Appends one request frame to this tick's batch; its reply comes to `TransportEvents.onReply`,
   * replies in the order the requests were written, never before `write` returned. Throws, with
   * nothing written: ConnectionLossError once closed, InvalidArgumentError when the frame exceeds
   * the server's limit, ProtocolError when the value does not encode.
   */
  write<T>(xid: number, opcode: number, body: RecordCodec<T> | null, value: T): void;
  /** Sends credentials (xid -4); the answer goes to `onAuthReply`. */
  sendAuth(packet: AuthPacket): void;
  /** Writes what this tick batched now rather than at the end of the tick. */
  flush(): void;
  /**
   * Closes the connection and reports `onClose` (once; idempotent). What this tick batched is
   * dropped, not written: after a session was declared lost, a request must not reach a server
   * that may still have the session. What must leave before a close is flushed first.
   */
  close(error: Error): void;
}

/** What a transport reports, synchronously and in wire order. */
export interface TransportEvents {
  /**
   * A reply to a request, `reader` positioned at its body, received at `receivedAt` (monotonic
   * ms). Throwing (a ProtocolError: a reply that matches no request, a body that does not decode)
   * closes the connection with that error.
   */
  onReply(transport: Transport, header: ReplyHeader, reader: JuteReader, receivedAt: number): void;
  /** A watch notification (xid -1). */
  onNotification(event: WatcherEvent, zxid: bigint): void;
  /**
   * The answer to an AuthPacket (xid -4): err 0, or AUTHFAILED before the server closes the
   * socket. Auth packets are answered in the order sent, outside the FIFO of requests.
   */
  onAuthReply(transport: Transport, err: number): void;
  /** The handshake or a ping sent at `sentAt` (monotonic ms) was answered at `answeredAt`. */
  onAnswered(transport: Transport, sentAt: number, answeredAt: number): void;
  /** The connection is gone; `error` says why. Called once. */
  onClose(transport: Transport, error: Error): void;
}

/** Where and how to connect, for one attempt. */
export interface DialTarget {
  readonly host: string;
  readonly port: number;
  /** Bound on TCP connect plus handshake. */
  readonly connectTimeoutMs: number;
  /** Largest request frame (excluding its 4-byte length) the server accepts: `jute.maxbuffer`. */
  readonly maxRequestFrame: number;
  /** Largest reply frame accepted from the server. */
  readonly maxResponseFrame: number;
  readonly tls?: ZooKeeperTlsOptions | undefined;
  /** Cancels the attempt while it connects or shakes hands. */
  readonly signal?: AbortSignal;
}

/** Counters a test (or a benchmark) can read to see what happened on the wire; frames include pings and handshakes. */
export interface ConnectionCounters {
  socketWrites: number;
  framesSent: number;
  framesReceived: number;
}

export interface Dialed {
  readonly transport: Transport;
  readonly response: ConnectResponse;
}

/**
 * Opens one connection and completes the handshake: `Connection.open` in production. Rejects with
 * ConnectionLossError when the server cannot be reached, closes the socket without answering, or
 * does not answer in time, and with NotReadOnlyError when a read-only server refuses the session.
 * `counters` is counted into over every connection of the dialer's owner.
 */
export type Dial = (
  target: DialTarget,
  request: ConnectRequest,
  events: TransportEvents,
  counters: ConnectionCounters,
) => Promise<Dialed>;

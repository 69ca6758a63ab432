import type net from 'node:net';
import {
  AuthPacket,
  ConnectRequest,
  ErrorCode,
  FrameSplitter,
  JuteReader,
  JuteWriter,
  OpCode,
  ProtocolError,
  ReplyHeader,
  RequestHeader,
  WatcherEvent,
  Xid,
} from '../../protocol/index.js';
import type { ConnectResponse, RecordCodec } from '../../protocol/index.js';
import type { HostAddress } from '../connect-string.js';
import { ConnectionLossError, InvalidArgumentError, SessionExpiredError } from '../errors.js';
import { handshake } from './handshake.js';
import { pingDue, pingThreshold } from './ping-policy.js';
import { RequestQueue } from './request-queue.js';
import { openSocket } from './socket.js';
import type { ZooKeeperTlsOptions } from '../types.js';
import { failureFor } from './request-queue.js';
import type { OutstandingRequest } from './request-queue.js';

export interface ConnectionOptions {
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

export interface ConnectionHandlers {
  /** A watch notification (xid -1), in wire order relative to replies. */
  onNotification(event: WatcherEvent, zxid: bigint): void;
  /** A reply carrying a zxid > 0: the newest state of the server this client has seen. */
  onZxid(zxid: bigint): void;
  /**
   * The answer to an AuthPacket (xid -4): err 0, or AUTHFAILED before the server closes the
   * socket. Auth packets are answered in the order sent, outside the FIFO of requests.
   */
  onAuthReply(connection: Connection, err: number): void;
  /** The connection is gone; `error` says why. Called once, after every outstanding request failed. */
  onClose(connection: Connection, error: Error): void;
}

/**
 * When the server last showed it still counted our session alive: the send time (monotonic ms)
 * of the newest request, ping or handshake it answered. The server's session timer restarts no
 * later than that, so one session timeout after it the session may be gone.
 */
export interface Liveness {
  lastAnsweredSendTime: number;
  /** Told of every answer, with the connection it came on. */
  readonly onAnswered?: (connection: Connection, sentAt: number, answeredAt: number) => void;
}

/** Counters a test (or a benchmark) can read to see what happened on the wire; frames include pings and handshakes. */
export interface ConnectionCounters {
  socketWrites: number;
  framesSent: number;
  framesReceived: number;
}

/**
 * One socket to one server: the handshake, framing, the FIFO of outstanding requests matched by
 * xid, pings at the Java client's cadence and the read timeout. Requests written in the same tick
 * are encoded into one buffer and leave in one socket write.
 */
export class Connection {
  private readonly outstanding = new RequestQueue();
  private readonly pingSendTimes: number[] = [];
  private readonly writer = new JuteWriter(16 * 1024);
  private readonly splitter: FrameSplitter;
  private flushScheduled = false;
  private lastSendTime = performance.now();
  private lastReceiveTime = performance.now();
  private readTimeoutMs = 0;
  private heartbeat: NodeJS.Timeout | undefined;
  private closed = false;
  /** When the handshake left (monotonic ms): the session was created or touched after it. */
  handshakeSentAt = 0;
  /** The same moment on the wall clock (Date.now()), to tell a host suspend since. */
  handshakeSentAtWall = 0;
  /** Set by whoever drops the connection to have the session reconnect without a pause. */
  promptReconnect = false;

  private constructor(
    private readonly socket: net.Socket,
    private readonly options: ConnectionOptions,
    private readonly handlers: ConnectionHandlers,
    /** Shared with the session, so the figures add up over reconnects. */
    private readonly counters: ConnectionCounters,
    private readonly liveness: Liveness,
  ) {
    this.splitter = new FrameSplitter(options.maxResponseFrame);
  }

  /**
   * Opens a socket and completes the handshake. Rejects with ConnectionLossError when the server
   * cannot be reached, closes the socket without answering, or does not answer in time, and with
   * NotReadOnlyError when a read-only server refuses the session.
   */
  static async open(
    options: ConnectionOptions,
    request: ConnectRequest,
    handlers: ConnectionHandlers,
    counters: ConnectionCounters,
    liveness: Liveness,
  ): Promise<{ connection: Connection; response: ConnectResponse }> {
    const socket = openSocket(options.host, options.port, options.tls);
    const connection = new Connection(socket, options, handlers, counters, liveness);
    try {
      const sentAt = performance.now();
      connection.handshakeSentAt = sentAt;
      connection.handshakeSentAtWall = Date.now();
      const response = await handshake({
        socket,
        splitter: connection.splitter,
        where: `${options.host}:${options.port}`,
        timeoutMs: options.connectTimeoutMs,
        signal: options.signal,
        sendRequest: () => {
          connection.sendConnectRequest(request);
        },
        onFrame: () => {
          connection.counters.framesReceived++;
        },
      });
      if (response.timeOut > 0) connection.noteAnswered(sentAt, performance.now());
      connection.startStreaming(response.timeOut);
      return { connection, response };
    } catch (error) {
      connection.closed = true;
      socket.destroy();
      throw error;
    }
  }

  private sendConnectRequest(request: ConnectRequest): void {
    const start = this.writer.beginFrame();
    ConnectRequest.write(this.writer, request);
    this.writer.endFrame(start);
    this.counters.framesSent++;
    this.writeOut();
  }

  private startStreaming(negotiatedTimeoutMs: number): void {
    this.readTimeoutMs = (negotiatedTimeoutMs * 2) / 3;
    this.lastReceiveTime = performance.now();
    this.socket.on('data', (chunk: Buffer) => {
      try {
        this.splitter.push(chunk, (frame) => {
          this.onFrame(frame);
        });
      } catch (error) {
        this.close(error instanceof Error ? error : new ProtocolError(String(error)));
      }
    });
    this.socket.on('error', (error) => {
      this.close(
        new ConnectionLossError(undefined, `CONNECTIONLOSS: socket error: ${error.message}`, {
          cause: error,
        }),
      );
    });
    this.socket.on('close', () => {
      this.close(
        new ConnectionLossError(undefined, 'CONNECTIONLOSS: the server closed the connection'),
      );
    });
    // A timeout of 0 means the server refused the session; the session layer closes this at once.
    if (negotiatedTimeoutMs > 0) this.scheduleHeartbeat();
  }

  get server(): HostAddress {
    return { host: this.options.host, port: this.options.port };
  }

  get isOpen(): boolean {
    return !this.closed;
  }

  /** The outstanding requests, oldest first (for the request-timeout sweep). */
  outstandingRequests(): Iterable<OutstandingRequest> {
    return this.outstanding.entries();
  }

  /**
   * Encodes one request into this tick's batch and queues it for its reply. Throws
   * InvalidArgumentError, with nothing sent, when the frame exceeds the server's limit.
   */
  send<T>(request: OutstandingRequest, body: RecordCodec<T> | null, value: T): void {
    if (this.closed) {
      request.fail(
        new ConnectionLossError(request.path, 'CONNECTIONLOSS: the connection is closed'),
      );
      return;
    }
    const start = this.writer.beginFrame();
    let length: number;
    try {
      RequestHeader.write(this.writer, { xid: request.xid, type: request.opcode });
      if (body !== null) body.write(this.writer, value);
      length = this.writer.endFrame(start);
    } catch (error) {
      // Never leave half a frame in the batch: it would corrupt the stream for every request after it.
      this.writer.truncate(start);
      throw error;
    }
    if (length > this.options.maxRequestFrame) {
      this.writer.truncate(start);
      throw new InvalidArgumentError(
        `request of ${length} bytes exceeds the server's limit of ${this.options.maxRequestFrame} bytes (jute.maxbuffer)`,
      );
    }
    request.sentAt = performance.now();
    this.counters.framesSent++;
    this.outstanding.push(request);
    this.scheduleFlush();
  }

  /** send(), except that a request it cannot send (too large, not encodable) fails instead. */
  sendOrFail<T>(request: OutstandingRequest, body: RecordCodec<T> | null, value: T): void {
    try {
      this.send(request, body, value);
    } catch (error) {
      request.fail(error instanceof Error ? error : new Error(String(error)));
    }
  }

  /** Sends credentials (xid -4); the answer goes to `onAuthReply`, not to a request. */
  sendAuth(packet: AuthPacket): void {
    if (this.closed) return;
    const start = this.writer.beginFrame();
    RequestHeader.write(this.writer, { xid: Xid.auth, type: OpCode.auth });
    AuthPacket.write(this.writer, packet);
    this.writer.endFrame(start);
    this.counters.framesSent++;
    this.scheduleFlush();
  }

  private sendPing(): void {
    const start = this.writer.beginFrame();
    RequestHeader.write(this.writer, { xid: Xid.ping, type: OpCode.ping });
    this.writer.endFrame(start);
    this.counters.framesSent++;
    this.pingSendTimes.push(performance.now());
    this.scheduleFlush();
  }

  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    const flush = (): void => {
      this.flushScheduled = false;
      this.writeOut();
    };
    // nextTick runs after the current microtask cascade has drained, so requests issued from a
    // chain of promise continuations still share one write. With replies still on their way,
    // requests issued from them are gathered over the whole I/O pass instead: one write after
    // it (setImmediate) rather than one per chunk read, which spares the server wake-ups.
    if (this.outstanding.size > 0) setImmediate(flush);
    else process.nextTick(flush);
  }

  private writeOut(): void {
    if (this.closed || this.writer.length === 0) return;
    const bytes = this.writer.finish();
    this.counters.socketWrites++;
    this.lastSendTime = performance.now();
    this.socket.write(bytes);
  }

  private onFrame(frame: Buffer): void {
    // A handler may close the connection mid-chunk (an auth failure): the rest is not for us.
    if (this.closed) return;
    this.counters.framesReceived++;
    const now = performance.now();
    this.lastReceiveTime = now;
    const reader = new JuteReader(frame);
    const header = ReplyHeader.read(reader);
    switch (header.xid) {
      case Xid.notification:
        this.handlers.onNotification(WatcherEvent.read(reader), header.zxid);
        return;
      case Xid.ping: {
        const sentAt = this.pingSendTimes.shift();
        if (sentAt !== undefined) this.noteAnswered(sentAt, now);
        return;
      }
      case Xid.auth:
        this.handlers.onAuthReply(this, header.err);
        return;
    }
    const request = this.outstanding.shift();
    if (request?.xid !== header.xid) {
      const error = new ProtocolError(
        `reply xid ${header.xid} does not match the oldest outstanding request (${request?.xid ?? 'none'})`,
      );
      request?.fail(failureFor(request, error));
      throw error;
    }
    if (header.zxid > 0n) this.handlers.onZxid(header.zxid);
    if (header.err === ErrorCode.SESSIONEXPIRED) {
      // The server expired the session before this request reached it: no proof of life, and the
      // end of the session, which the server is about to close the connection over.
      request.complete(header.err, undefined);
      this.close(new SessionExpiredError());
      return;
    }
    this.noteAnswered(request.sentAt, now);
    if (header.err !== 0) {
      request.complete(header.err, undefined);
      return;
    }
    let body: unknown;
    try {
      body = request.response === null ? undefined : request.response.read(reader);
    } catch (error) {
      // The request has left the queue, so close() would not fail it: fail it here.
      const cause = error instanceof Error ? error : new ProtocolError(String(error));
      request.fail(failureFor(request, cause));
      throw cause;
    }
    request.complete(0, body);
  }

  private noteAnswered(sentAt: number, answeredAt: number): void {
    if (sentAt > this.liveness.lastAnsweredSendTime) this.liveness.lastAnsweredSendTime = sentAt;
    this.liveness.onAnswered?.(this, sentAt, answeredAt);
  }

  /** One timer for both pings and the read timeout, re-armed from the last send and receive times. */
  private scheduleHeartbeat(recheck = false): void {
    if (this.closed) return;
    const now = performance.now();
    const idleReceive = now - this.lastReceiveTime;
    if (idleReceive >= this.readTimeoutMs && !recheck) {
      // Timers run before I/O is polled: after an event-loop stall a reply may be waiting in the
      // socket. Look again once I/O has been read.
      setImmediate(() => {
        this.scheduleHeartbeat(true);
      });
      return;
    }
    if (idleReceive >= this.readTimeoutMs) {
      this.close(
        new ConnectionLossError(
          undefined,
          `CONNECTIONLOSS: nothing received from the server for ${Math.round(idleReceive)} ms`,
        ),
      );
      return;
    }
    let idleSend = now - this.lastSendTime;
    if (pingDue(this.readTimeoutMs, idleSend)) {
      this.sendPing();
      idleSend = 0;
    }
    const untilPing = Math.max(1, pingThreshold(this.readTimeoutMs) - idleSend);
    const untilReadTimeout = this.readTimeoutMs - idleReceive;
    this.heartbeat = setTimeout(
      () => {
        this.scheduleHeartbeat();
      },
      Math.ceil(Math.min(untilPing, untilReadTimeout)),
    );
    this.heartbeat.unref();
  }

  /**
   * Closes the socket and fails every outstanding request (see failureFor). Idempotent. What this
   * tick batched is dropped, not written: after a session was declared lost, a request must not
   * reach a server that may still have the session (a holder's guarded write, after its lease
   * was reported lost). What must leave before a close is flushed first (`flush()`).
   */
  close(error: Error): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.heartbeat);
    this.socket.destroy();
    for (const request of this.outstanding.drain()) request.fail(failureFor(request, error));
    this.handlers.onClose(this, error);
  }

  /** Writes what this tick batched now rather than at the end of the tick. */
  flush(): void {
    this.writeOut();
  }
}

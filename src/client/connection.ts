import type net from 'node:net';
import {
  ConnectRequest,
  ConnectResponse,
  FrameSplitter,
  JuteReader,
  JuteWriter,
  OpCode,
  ProtocolError,
  ReplyHeader,
  RequestHeader,
  WatcherEvent,
  Xid,
} from '../protocol/index.js';
import type { RecordCodec } from '../protocol/index.js';
import type { HostAddress } from './connect-string.js';
import { ConnectionLossError, InvalidArgumentError, NotReadOnlyError } from './errors.js';
import { pingDue, pingThreshold } from './ping-policy.js';
import { RequestQueue } from './request-queue.js';
import { openSocket } from './socket.js';
import type { ZooKeeperTlsOptions } from './types.js';
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
}

/** Counters a test (or a benchmark) can read to see what happened on the wire; frames include pings and handshakes. */
export interface ConnectionCounters {
  socketWrites: number;
  framesSent: number;
  framesReceived: number;
}

const SHORTEST_CONNECT_RESPONSE = 36;

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
      const response = await connection.handshake(request);
      if (response.timeOut > 0) connection.noteAnswered(sentAt);
      connection.startStreaming(response.timeOut);
      return { connection, response };
    } catch (error) {
      connection.closed = true;
      socket.destroy();
      throw error;
    }
  }

  private handshake(request: ConnectRequest): Promise<ConnectResponse> {
    const where = `${this.options.host}:${this.options.port}`;
    return new Promise<ConnectResponse>((resolve, reject) => {
      const fail = (reason: string, cause?: unknown): void => {
        cleanup();
        reject(
          new ConnectionLossError(undefined, `CONNECTIONLOSS: ${reason} (${where})`, { cause }),
        );
      };
      const timer = setTimeout(() => {
        fail(`no handshake answer within ${this.options.connectTimeoutMs} ms`);
      }, this.options.connectTimeoutMs);
      const onError = (error: Error): void => {
        fail(`socket error: ${error.message}`, error);
      };
      const onClose = (): void => {
        fail('the server closed the connection during the handshake');
      };
      const onData = (chunk: Buffer): void => {
        try {
          this.splitter.push(chunk, (frame) => {
            cleanup();
            this.counters.framesReceived++;
            resolve(this.readConnectResponse(frame));
          });
        } catch (error) {
          cleanup();
          reject(error instanceof Error ? error : new ProtocolError(String(error)));
        }
      };
      const onAbort = (): void => {
        fail('the attempt was cancelled');
      };
      const cleanup = (): void => {
        clearTimeout(timer);
        this.options.signal?.removeEventListener('abort', onAbort);
        this.socket.off('error', onError).off('close', onClose).off('data', onData);
      };
      this.socket.on('error', onError).on('close', onClose).on('data', onData);
      if (this.options.signal?.aborted === true) {
        onAbort();
        return;
      }
      this.options.signal?.addEventListener('abort', onAbort);
      const start = this.writer.beginFrame();
      ConnectRequest.write(this.writer, request);
      this.writer.endFrame(start);
      this.counters.framesSent++;
      this.writeOut();
    });
  }

  private readConnectResponse(frame: Buffer): ConnectResponse {
    if (frame.length < SHORTEST_CONNECT_RESPONSE) {
      // A read-only server without local sessions answers with a bare ReplyHeader (err -119).
      const header = ReplyHeader.read(new JuteReader(frame));
      throw header.err === -119
        ? new NotReadOnlyError(
            undefined,
            'NOTREADONLY: the server is read-only and refused the session',
          )
        : new ProtocolError(`short ConnectResponse (${frame.length} bytes, err ${header.err})`);
    }
    return ConnectResponse.read(new JuteReader(frame));
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
    // nextTick runs after the current microtask cascade has drained, so requests issued from a
    // chain of promise continuations still share one write.
    process.nextTick(() => {
      this.flushScheduled = false;
      this.writeOut();
    });
  }

  private writeOut(): void {
    if (this.closed || this.writer.length === 0) return;
    const bytes = this.writer.finish();
    this.counters.socketWrites++;
    this.lastSendTime = performance.now();
    this.socket.write(bytes);
  }

  private onFrame(frame: Buffer): void {
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
        if (sentAt !== undefined) this.noteAnswered(sentAt);
        return;
      }
      case Xid.auth:
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
    this.noteAnswered(request.sentAt);
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

  private noteAnswered(sentAt: number): void {
    if (sentAt > this.liveness.lastAnsweredSendTime) this.liveness.lastAnsweredSendTime = sentAt;
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

  /** Closes the socket and fails every outstanding request (see failureFor). Idempotent. */
  close(error: Error): void {
    if (this.closed) return;
    this.writeOut();
    this.closed = true;
    clearTimeout(this.heartbeat);
    this.socket.destroy();
    for (const request of this.outstanding.drain()) request.fail(failureFor(request, error));
    this.handlers.onClose(this, error);
  }

  /** Closes gracefully after the server answered everything outstanding (used after closeSession). */
  end(): void {
    this.writeOut();
    this.socket.end();
  }
}

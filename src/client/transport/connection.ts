import type net from 'node:net';
import {
  AuthPacket,
  ConnectRequest,
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
import type { RecordCodec } from '../../protocol/index.js';
import type { HostAddress } from '../connect-string.js';
import { ConnectionLossError, InvalidArgumentError } from '../errors.js';
import { handshake } from './handshake.js';
import { pingDue, pingThreshold } from './ping-policy.js';
import { openSocket } from './socket.js';
import type {
  ConnectionCounters,
  Dialed,
  DialTarget,
  Transport,
  TransportEvents,
} from './transport.js';

/**
 * One socket to one server (the production Transport): the handshake, framing, pings at the Java
 * client's cadence and the read timeout. Requests written in the same tick are encoded into one
 * buffer and leave in one socket write.
 */
export class Connection implements Transport {
  /** Requests written and not yet answered: only to choose when to flush (see scheduleFlush). */
  private awaitingReplies = 0;
  private readonly pingSendTimes: number[] = [];
  private readonly writer = new JuteWriter(16 * 1024);
  private readonly splitter: FrameSplitter;
  private flushScheduled = false;
  private lastSendTime = performance.now();
  private lastReceiveTime = performance.now();
  private readTimeoutMs = 0;
  private heartbeat: NodeJS.Timeout | undefined;
  private closed = false;
  handshakeSentAt = 0;
  handshakeSentAtWall = 0;
  promptReconnect = false;

  private constructor(
    private readonly socket: net.Socket,
    private readonly options: DialTarget,
    private readonly events: TransportEvents,
    /** The dialer's, so the figures add up over reconnects. */
    private readonly counters: ConnectionCounters,
  ) {
    this.splitter = new FrameSplitter(options.maxResponseFrame);
  }

  /** Opens a socket and completes the handshake: the production `Dial` (see transport.ts). */
  static async open(
    options: DialTarget,
    request: ConnectRequest,
    events: TransportEvents,
    counters: ConnectionCounters,
  ): Promise<Dialed & { readonly transport: Connection }> {
    const socket = openSocket(options.host, options.port, options.tls);
    const connection = new Connection(socket, options, events, counters);
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
      if (response.timeOut > 0) events.onAnswered(connection, sentAt, performance.now());
      connection.startStreaming(response.timeOut);
      return { transport: connection, response };
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

  write<T>(xid: number, opcode: number, body: RecordCodec<T> | null, value: T): void {
    if (this.closed)
      throw new ConnectionLossError(undefined, 'CONNECTIONLOSS: the connection is closed');
    const start = this.writer.beginFrame();
    let length: number;
    try {
      RequestHeader.write(this.writer, { xid, type: opcode });
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
    this.counters.framesSent++;
    this.awaitingReplies++;
    this.scheduleFlush();
  }

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
    // With replies on their way, requests issued from them are gathered over the whole I/O pass:
    // one write after it (setImmediate) rather than one per chunk read, which spares the server
    // wake-ups. The request being written already counts, so every request batch leaves this
    // way; nextTick serves only pings and auth packets on an idle connection. (Counting it after
    // scheduling, so an idle connection's first request left on nextTick, was measured in
    // docs/benchmarks.md: W1 gained ~1.5%, W3 and W4 lost 10-18%.)
    if (this.awaitingReplies > 0) setImmediate(flush);
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
        this.events.onNotification(WatcherEvent.read(reader), header.zxid);
        return;
      case Xid.ping: {
        const sentAt = this.pingSendTimes.shift();
        if (sentAt !== undefined) this.events.onAnswered(this, sentAt, now);
        return;
      }
      case Xid.auth:
        this.events.onAuthReply(this, header.err);
        return;
    }
    this.awaitingReplies--;
    this.events.onReply(this, header, reader, now);
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

  close(error: Error): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.heartbeat);
    this.socket.destroy();
    this.events.onClose(this, error);
  }

  flush(): void {
    this.writeOut();
  }
}

import { OpCode, SetWatches } from '../protocol/index.js';
import type { ConnectResponse, RecordCodec } from '../protocol/index.js';
import { Connection } from './connection.js';
import type { ConnectionCounters } from './connection.js';
import type { HostAddress } from './connect-string.js';
import {
  ClientClosedError,
  ConnectionLossError,
  errorFromCode,
  RequestTimeoutError,
  SessionExpiredError,
} from './errors.js';
import { HostCycle } from './host-cycle.js';
import type { OutstandingRequest } from './request-queue.js';
import { WatchRegistry } from './watch-registry.js';

export interface SessionOptions {
  readonly hosts: readonly HostAddress[];
  /** Requested session timeout, ms; the server clamps it (see `negotiatedTimeout`). */
  readonly sessionTimeoutMs: number;
  /** How long a request may wait for its answer, ms; 0 = forever. */
  readonly requestTimeoutMs: number;
  /** How long the first connect may take in all, over every host and retry, ms. */
  readonly connectTimeoutMs: number;
  readonly maxRequestFrame: number;
  readonly maxResponseFrame: number;
}

export type SessionState =
  'connecting' | 'connected' | 'suspended' | 'reconnected' | 'lost' | 'closed';

/** A request's hook run synchronously with its reply, before the caller's promise settles. */
export type ReplyHook = (err: number) => void;

interface UnsentRequest {
  readonly request: Request;
  readonly body: RecordCodec<unknown> | null;
  readonly value: unknown;
}

/** What the Java client sends per SetWatches batch at most (`SET_WATCHES_MAX_LENGTH`, in chars). */
const SET_WATCHES_MAX_CHARS = 128 * 1024;
const CLOSE_SESSION_WAIT_MS = 2000;

/**
 * The session over a sequence of connections: opens it, resumes it after a connection drops (same
 * id and password, never going back in zxid), re-registers watches, queues requests made while
 * disconnected, enforces request timeouts, and closes it.
 */
export class Session {
  state: SessionState = 'connecting';
  sessionId = 0n;
  negotiatedTimeoutMs = 0;
  lastZxid = 0n;
  readonly watches = new WatchRegistry();
  readonly counters: ConnectionCounters = { socketWrites: 0, framesSent: 0, framesReceived: 0 };
  onStateChange: (state: SessionState) => void = () => undefined;

  private password: Uint8Array = new Uint8Array(16);
  private connection: Connection | undefined;
  private readonly unsent: UnsentRequest[] = [];
  private readonly hosts: HostCycle;
  private xid = 0;
  private sweepTimer: NodeJS.Timeout | undefined;
  private closePromise: Promise<void> | undefined;

  constructor(private readonly options: SessionOptions) {
    this.hosts = new HostCycle(options.hosts);
  }

  /** Opens a new session, trying hosts with backoff until `connectTimeoutMs` runs out. */
  async start(): Promise<void> {
    const deadline = performance.now() + this.options.connectTimeoutMs;
    const opened = await this.connectLoop(deadline);
    if (opened === undefined) {
      throw new ConnectionLossError(
        undefined,
        `CONNECTIONLOSS: could not open a session with ${this.describeHosts()} within ${this.options.connectTimeoutMs} ms`,
      );
    }
    this.adopt(opened.connection, opened.response, 'connected');
  }

  /** A method, so TypeScript does not narrow the state across awaits. */
  private isClosed(): boolean {
    return this.state === 'closed' || this.closePromise !== undefined;
  }

  private describeHosts(): string {
    return this.options.hosts.map((h) => `${h.host}:${h.port}`).join(',');
  }

  /**
   * Tries hosts in turn until one completes the handshake. Returns undefined once `deadline`
   * (monotonic ms) has passed or the session was closed meanwhile.
   */
  private async connectLoop(
    deadline: number,
  ): Promise<{ connection: Connection; response: ConnectResponse } | undefined> {
    const perAttemptMs = Math.max(
      1,
      Math.floor(this.options.sessionTimeoutMs / this.options.hosts.length),
    );
    let attempt = 0;
    while (!this.isClosed() && performance.now() < deadline) {
      const { host, delayMs } = this.hosts.next(attempt++);
      if (delayMs > 0) await sleep(Math.min(delayMs, Math.max(0, deadline - performance.now())));
      if (this.isClosed() || performance.now() >= deadline) break;
      try {
        const opened = await Connection.open(
          {
            host: host.host,
            port: host.port,
            connectTimeoutMs: Math.min(perAttemptMs, Math.max(1, deadline - performance.now())),
            maxRequestFrame: this.options.maxRequestFrame,
            maxResponseFrame: this.options.maxResponseFrame,
          },
          {
            protocolVersion: 0,
            lastZxidSeen: this.lastZxid,
            timeOut: this.options.sessionTimeoutMs,
            sessionId: this.sessionId,
            passwd: this.password,
            readOnly: false,
          },
          {
            onNotification: (event, zxid) => {
              this.watches.dispatch(event.type, event.path, zxid);
            },
            onZxid: (zxid) => {
              if (zxid > this.lastZxid) this.lastZxid = zxid;
            },
            onClose: (error) => {
              this.onConnectionClosed(error);
            },
          },
          this.counters,
        );
        if (this.isClosed()) {
          opened.connection.close(new ClientClosedError());
          return undefined;
        }
        return opened;
      } catch {
        // Unreachable, refusing or silent: try the next host after the backoff.
      }
    }
    return undefined;
  }

  private adopt(connection: Connection, response: ConnectResponse, state: SessionState): void {
    if (response.timeOut <= 0) {
      connection.close(new SessionExpiredError());
      this.expire();
      return;
    }
    this.connection = connection;
    this.sessionId = response.sessionId;
    this.password = response.passwd ?? new Uint8Array(16);
    this.negotiatedTimeoutMs = response.timeOut;
    this.resendWatches(connection);
    const queued = this.unsent.splice(0);
    for (const { request, body, value } of queued) this.sendNow(connection, request, body, value);
    this.setState(state);
  }

  private setState(state: SessionState): void {
    if (this.state === state) return;
    this.state = state;
    this.onStateChange(state);
  }

  private onConnectionClosed(error: Error): void {
    this.connection = undefined;
    if (this.state === 'closed' || this.state === 'lost' || this.closePromise !== undefined) return;
    if (error instanceof SessionExpiredError) {
      this.expire();
      return;
    }
    this.setState('suspended');
    void this.reconnect();
  }

  private async reconnect(): Promise<void> {
    // Keep trying until the server says the session is gone or the client is closed; the
    // client-side session timer that bounds this comes with multi-host failover.
    while (this.state === 'suspended') {
      const opened = await this.connectLoop(Number.POSITIVE_INFINITY);
      if (opened === undefined) return;
      this.adopt(opened.connection, opened.response, 'reconnected');
      return;
    }
  }

  private expire(): void {
    this.setState('lost');
    for (const { request } of this.unsent.splice(0))
      request.fail(new SessionExpiredError(request.path));
    this.watches.failAll('sessionExpired');
    this.stopSweep();
  }

  /** Re-registers every one-shot watch, in batches of at most 128 K path characters, as Java does. */
  private resendWatches(connection: Connection): void {
    const paths = this.watches.paths();
    const total = paths.data.length + paths.exist.length + paths.child.length;
    if (total === 0 || this.sessionId === 0n) return;
    let batch: SetWatches = emptyBatch(this.lastZxid);
    let chars = 0;
    const flush = (): void => {
      const request = this.newRequest(
        OpCode.setWatches,
        undefined,
        null,
        () => undefined,
        () => undefined,
      );
      this.sendNow(connection, request, SetWatches, batch);
      batch = emptyBatch(this.lastZxid);
      chars = 0;
    };
    for (const [list, key] of [
      [paths.data, 'dataWatches'],
      [paths.exist, 'existWatches'],
      [paths.child, 'childWatches'],
    ] as const) {
      for (const path of list) {
        (batch[key] as string[]).push(path);
        chars += path.length;
        if (chars >= SET_WATCHES_MAX_CHARS) flush();
      }
    }
    if (chars > 0) flush();
  }

  private nextXid(): number {
    this.xid = this.xid >= 0x7fffffff ? 1 : this.xid + 1;
    return this.xid;
  }

  private newRequest(
    opcode: number,
    path: string | undefined,
    response: RecordCodec<unknown> | null,
    resolve: (value: unknown) => void,
    reject: (error: Error) => void,
    onReply?: ReplyHook,
  ): Request {
    return new Request(this.nextXid(), opcode, path, response, resolve, reject, onReply);
  }

  /**
   * Sends one request, or queues it until the session is connected. The promise rejects with the
   * error class of the server's code, ConnectionLossError, RequestTimeoutError,
   * SessionExpiredError, ClientClosedError, or InvalidArgumentError for an oversized request.
   */
  submit<T, R>(
    opcode: number,
    path: string | undefined,
    body: RecordCodec<T> | null,
    value: T,
    response: RecordCodec<R> | null,
    onReply?: ReplyHook,
  ): Promise<R> {
    if (this.closePromise !== undefined || this.state === 'closed') {
      return Promise.reject(new ClientClosedError());
    }
    if (this.state === 'lost') return Promise.reject(new SessionExpiredError(path));
    return new Promise<R>((resolve, reject) => {
      const request = this.newRequest(
        opcode,
        path,
        response,
        resolve as (value: unknown) => void,
        reject,
        onReply,
      );
      const connection = this.connection;
      if (
        connection?.isOpen === true &&
        (this.state === 'connected' || this.state === 'reconnected')
      ) {
        this.sendNow(connection, request, body, value);
      } else {
        this.unsent.push({ request, body: body, value });
      }
      this.ensureSweep();
    });
  }

  private sendNow(
    connection: Connection,
    request: Request,
    body: RecordCodec<unknown> | null,
    value: unknown,
  ): void {
    try {
      connection.send(request, body, value);
    } catch (error) {
      request.fail(error instanceof Error ? error : new Error(String(error)));
    }
  }

  private ensureSweep(): void {
    const timeout = this.options.requestTimeoutMs;
    if (timeout <= 0 || this.sweepTimer !== undefined) return;
    this.sweepTimer = setInterval(
      () => {
        this.sweepTimeouts();
      },
      Math.max(10, Math.min(1000, timeout / 4)),
    );
    this.sweepTimer.unref();
  }

  private stopSweep(): void {
    clearInterval(this.sweepTimer);
    this.sweepTimer = undefined;
  }

  /** Fails requests older than the request timeout; their late replies, if any, are ignored. */
  private sweepTimeouts(): void {
    const limit = performance.now() - this.options.requestTimeoutMs;
    const waiting = this.unsent.filter((entry) => {
      if (entry.request.createdAt > limit) return true;
      entry.request.fail(timeoutError(entry.request));
      return false;
    });
    this.unsent.splice(0, this.unsent.length, ...waiting);
    let outstanding = false;
    for (const request of this.connection?.outstandingRequests() ?? []) {
      outstanding = true;
      // Oldest first: once one is young enough, so are the rest.
      if (request.createdAt > limit) break;
      request.fail(timeoutError(request));
    }
    if (this.unsent.length === 0 && !outstanding) this.stopSweep();
  }

  /**
   * Ends the session: sends closeSession (so the server deletes our ephemerals at once) and waits
   * for its answer at most a bounded time; then fails whatever is still pending with
   * ClientClosedError. Idempotent.
   */
  close(): Promise<void> {
    this.closePromise ??= this.doClose();
    return this.closePromise;
  }

  private async doClose(): Promise<void> {
    for (const { request } of this.unsent.splice(0)) request.fail(new ClientClosedError());
    const connection = this.connection;
    if (connection?.isOpen === true && this.state !== 'lost') {
      const answered = new Promise<void>((resolve) => {
        const request = this.newRequest(
          OpCode.closeSession,
          undefined,
          null,
          () => {
            resolve();
          },
          () => {
            resolve();
          },
        );
        this.sendNow(connection, request, null, undefined);
      });
      let timer: NodeJS.Timeout | undefined;
      const waited = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, Math.min(CLOSE_SESSION_WAIT_MS, this.negotiatedTimeoutMs));
      });
      await Promise.race([answered, waited]);
      clearTimeout(timer);
    }
    this.setState('closed');
    this.connection?.close(new ClientClosedError());
    this.connection = undefined;
    this.watches.failAll('closed');
    this.stopSweep();
  }
}

/** A request of this session: settles its caller's promise once, from a reply, a failure or a timeout. */
class Request implements OutstandingRequest {
  sentAt = 0;
  readonly createdAt = performance.now();
  private settled = false;

  constructor(
    readonly xid: number,
    readonly opcode: number,
    readonly path: string | undefined,
    readonly response: RecordCodec<unknown> | null,
    private readonly resolve: (value: unknown) => void,
    private readonly reject: (error: Error) => void,
    private readonly onReply: ReplyHook | undefined,
  ) {}

  complete(err: number, body: unknown): void {
    if (this.settled) return;
    this.settled = true;
    this.onReply?.(err);
    if (err === 0) this.resolve(body);
    else this.reject(errorFromCode(err, this.path));
  }

  fail(error: Error): void {
    if (this.settled) return;
    this.settled = true;
    this.reject(error);
  }
}

function timeoutError(request: OutstandingRequest): RequestTimeoutError {
  return new RequestTimeoutError(
    request.path,
    'REQUESTTIMEOUT: no answer within the request timeout',
  );
}

function emptyBatch(relativeZxid: bigint): SetWatches {
  return { relativeZxid, dataWatches: [], existWatches: [], childWatches: [] };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

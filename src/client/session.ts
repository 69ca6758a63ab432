import { setTimeout as sleep } from 'node:timers/promises';
import { OpCode, SetWatches } from '../protocol/index.js';
import type { ConnectResponse, RecordCodec } from '../protocol/index.js';
import { Connection } from './connection.js';
import type { ConnectionCounters } from './connection.js';
import type { HostAddress } from './connect-string.js';
import { ClientClosedError, ConnectionLossError, SessionExpiredError } from './errors.js';
import { HostCycle } from './host-cycle.js';
import { Request } from './request.js';
import type { ReplyHook } from './request.js';
import { setWatchesBatches } from './set-watches.js';
import { WatchRegistry } from './watch-registry.js';

export type { ReplyHook } from './request.js';

export interface SessionOptions {
  readonly hosts: readonly HostAddress[];
  /** Requested session timeout, ms; the server clamps it (see `negotiatedTimeoutMs`). */
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

interface UnsentRequest {
  readonly request: Request;
  readonly body: RecordCodec<unknown> | null;
  readonly value: unknown;
}

type Opened = { connection: Connection; response: ConnectResponse };

/** How long close() waits, in all, for a reconnect and for the answer to closeSession. */
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

  password: Uint8Array = new Uint8Array(16);
  private connection: Connection | undefined;
  private unsent: UnsentRequest[] = [];
  private readonly hosts: HostCycle;
  private xid = 0;
  private sweepTimer: NodeJS.Timeout | undefined;
  private closePromise: Promise<void> | undefined;
  /** Aborted by close(): cancels connection attempts and backoff pauses. */
  private readonly lifetime = new AbortController();
  /** Called when a connection is adopted; close() uses it to wait for a reconnect. */
  private onAdopted: (() => void) | undefined;

  constructor(private readonly options: SessionOptions) {
    this.hosts = new HostCycle(options.hosts);
  }

  /** The server of the current connection, if connected. */
  get server(): HostAddress | undefined {
    return this.connection?.isOpen === true ? this.connection.server : undefined;
  }

  /** Opens a new session, trying hosts with backoff until `connectTimeoutMs` runs out. */
  async start(): Promise<void> {
    const deadline = performance.now() + this.options.connectTimeoutMs;
    const opened = await this.connectLoop(deadline, 0);
    if (opened === undefined) {
      this.lifetime.abort();
      this.setState('closed');
      throw new ConnectionLossError(
        undefined,
        `CONNECTIONLOSS: could not open a session with ${this.describeHosts()} within ${this.options.connectTimeoutMs} ms`,
      );
    }
    this.adopt(opened, 'connected');
  }

  private describeHosts(): string {
    return this.options.hosts.map((h) => `${h.host}:${h.port}`).join(',');
  }

  /** A method, so TypeScript does not narrow the state across awaits. */
  private mayConnect(): boolean {
    return !this.lifetime.signal.aborted && this.state !== 'lost' && this.state !== 'closed';
  }

  /**
   * Tries hosts in turn until one completes the handshake. Returns undefined once `deadline`
   * (monotonic ms) has passed, the session was lost, or close() gave up on it.
   */
  private async connectLoop(deadline: number, firstAttempt: number): Promise<Opened | undefined> {
    // Once connected, T is the negotiated timeout (the Java client's rule); before, the requested one.
    const timeout =
      this.negotiatedTimeoutMs > 0 ? this.negotiatedTimeoutMs : this.options.sessionTimeoutMs;
    const perAttemptMs = Math.max(1, Math.floor(timeout / this.options.hosts.length));
    const signal = this.lifetime.signal;
    for (let attempt = firstAttempt; this.mayConnect() && performance.now() < deadline; attempt++) {
      const { host, delayMs } = this.hosts.next(attempt);
      try {
        if (delayMs > 0)
          await sleep(Math.min(delayMs, Math.max(0, deadline - performance.now())), undefined, {
            signal,
          });
        if (!this.mayConnect() || performance.now() >= deadline) break;
        return await Connection.open(
          {
            host: host.host,
            port: host.port,
            connectTimeoutMs: Math.min(perAttemptMs, Math.max(1, deadline - performance.now())),
            maxRequestFrame: this.options.maxRequestFrame,
            maxResponseFrame: this.options.maxResponseFrame,
            signal,
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
            onClose: (connection, error) => {
              this.onConnectionClosed(connection, error);
            },
          },
          this.counters,
        );
      } catch {
        // Unreachable, refusing, silent, or cancelled: the loop condition decides what's next.
      }
    }
    return undefined;
  }

  private adopt({ connection, response }: Opened, state: 'connected' | 'reconnected'): void {
    if (response.timeOut <= 0) {
      connection.close(new SessionExpiredError());
      this.expire();
      return;
    }
    if (!connection.isOpen) {
      // It dropped between the handshake and now: treat it as any other drop.
      this.setState('suspended');
      void this.reconnect();
      return;
    }
    this.connection = connection;
    this.sessionId = response.sessionId;
    this.password = response.passwd ?? new Uint8Array(16);
    this.negotiatedTimeoutMs = response.timeOut;
    // The Java client's order on a new connection: SetWatches first, then the queued requests.
    for (const batch of setWatchesBatches(this.watches.paths(), this.lastZxid)) {
      const request = new Request(
        this.nextXid(),
        OpCode.setWatches,
        undefined,
        null,
        noop,
        noop,
        undefined,
      );
      this.sendNow(connection, request, SetWatches, batch);
    }
    const queued = this.unsent;
    this.unsent = [];
    for (const { request, body, value } of queued) this.sendNow(connection, request, body, value);
    this.setState(state);
    this.onAdopted?.();
  }

  private setState(state: SessionState): void {
    if (this.state === state) return;
    this.state = state;
    try {
      this.onStateChange(state);
    } catch (error) {
      // A listener's bug must not stop the session's own work (e.g. starting the reconnect).
      process.nextTick(() => {
        throw error;
      });
    }
  }

  private onConnectionClosed(connection: Connection, error: Error): void {
    if (connection !== this.connection) return;
    this.connection = undefined;
    if (this.closePromise !== undefined || !this.mayConnect()) return;
    if (error instanceof SessionExpiredError) {
      this.expire();
      return;
    }
    this.setState('suspended');
    void this.reconnect();
  }

  /**
   * Keeps trying until the server says the session is gone or the client is closed; the
   * client-side session timer that bounds this comes with multi-host failover.
   */
  private async reconnect(): Promise<void> {
    const opened = await this.connectLoop(Number.POSITIVE_INFINITY, 1);
    if (opened === undefined) return;
    if (this.state === 'lost' || this.state === 'closed') {
      opened.connection.close(new ClientClosedError());
      return;
    }
    this.adopt(opened, 'reconnected');
  }

  private expire(): void {
    const queued = this.unsent;
    this.unsent = [];
    for (const { request } of queued) request.fail(new SessionExpiredError(request.path));
    this.watches.failAll('sessionExpired');
    this.stopSweep();
    this.setState('lost');
  }

  private nextXid(): number {
    this.xid = this.xid >= 0x7fffffff ? 1 : this.xid + 1;
    return this.xid;
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
      const request = new Request(
        this.nextXid(),
        opcode,
        path,
        response,
        resolve as (value: unknown) => void,
        reject,
        onReply,
      );
      const connection = this.connection;
      const codec = body as RecordCodec<unknown> | null;
      if (
        connection?.isOpen === true &&
        (this.state === 'connected' || this.state === 'reconnected')
      ) {
        this.sendNow(connection, request, codec, value);
      } else {
        this.unsent.push({ request, body: codec, value });
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
    this.unsent = this.unsent.filter((entry) => {
      if (entry.request.createdAt > limit) return true;
      entry.request.timeOut();
      return false;
    });
    let outstanding = false;
    for (const request of this.connection?.outstandingRequests() ?? []) {
      outstanding = true;
      if (request.createdAt <= limit && request instanceof Request) request.timeOut();
    }
    if (this.unsent.length === 0 && !outstanding) this.stopSweep();
  }

  /**
   * Ends the session: sends closeSession (so the server deletes our ephemerals at once) and waits
   * for its answer, and for a reconnect first if the connection is down, at most 2 s in all; then
   * fails whatever is still pending with ClientClosedError. Idempotent.
   */
  close(): Promise<void> {
    this.closePromise ??= this.doClose();
    return this.closePromise;
  }

  private async doClose(): Promise<void> {
    const deadline = performance.now() + CLOSE_SESSION_WAIT_MS;
    const queued = this.unsent;
    this.unsent = [];
    for (const { request } of queued) request.fail(new ClientClosedError());
    if (this.state === 'suspended') await this.adoptedBefore(deadline);
    const connection = this.connection;
    if (connection?.isOpen === true && this.state !== 'lost') {
      const answered = new Promise<void>((resolve) => {
        const done = (): void => {
          resolve();
        };
        const request = new Request(
          this.nextXid(),
          OpCode.closeSession,
          undefined,
          null,
          done,
          done,
          undefined,
        );
        this.sendNow(connection, request, null, undefined);
      });
      const waitMs = Math.max(0, Math.min(deadline - performance.now(), this.negotiatedTimeoutMs));
      const stop = new AbortController();
      await Promise.race([answered, sleep(waitMs, undefined, { signal: stop.signal }).catch(noop)]);
      stop.abort();
    }
    this.lifetime.abort();
    this.connection?.close(new ClientClosedError());
    this.connection = undefined;
    this.stopSweep();
    this.watches.failAll('closed');
    this.setState('closed');
  }

  /** Resolves when a reconnect is adopted or at `deadline`, whichever comes first. */
  private async adoptedBefore(deadline: number): Promise<void> {
    const stop = new AbortController();
    const adopted = new Promise<void>((resolve) => {
      this.onAdopted = resolve;
    });
    await Promise.race([
      adopted,
      sleep(Math.max(0, deadline - performance.now()), undefined, { signal: stop.signal }).catch(
        noop,
      ),
    ]);
    stop.abort();
    this.onAdopted = undefined;
  }
}

function noop(): void {
  // Deliberately nothing: the outcome is not needed.
}

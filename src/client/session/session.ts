import type { RecordCodec } from '../../protocol/index.js';
import { Authenticator, type AuthPort } from './authenticate.js';
import type { Connection, ConnectionCounters, Liveness } from '../transport/connection.js';
import type { HostAddress } from '../connect-string.js';
import { Connector } from '../transport/connector.js';
import type { Credentials, Opened } from '../transport/connector.js';
import { channels, publishWatch, traceRequest } from './diagnostics.js';
import type { StateMessage } from './diagnostics.js';
import { ClientClosedError, ConnectionLossError, SessionExpiredError } from '../errors.js';
import { LeaderConfirmation } from './leader-confirmation.js';
import type { ConfirmationPort } from './leader-confirmation.js';
import { LossTimer } from './loss-timer.js';
import { ReadOnlyMode } from './read-only-mode.js';
import { Request } from './request.js';
import type { ReplyHook } from './request.js';
import { RequestTimeouts } from './request-timeouts.js';
import type { LossCause, SessionOptions, SessionState, StateDetail } from './session-types.js';
import { setWatchesRequests } from './set-watches.js';
import { endStaleSession, sendCloseSession } from './close-session.js';
import { callIsolated } from '../isolated-call.js';
import { Settlement } from './settle-within.js';
import { WatchRegistry } from '../watches/watch-registry.js';

export type { ReplyHook } from './request.js';
export type { LossCause, SessionOptions, SessionState, StateDetail } from './session-types.js';

/** How long close() waits, in all, for a reconnect and for the answer to closeSession. */
const CLOSE_SESSION_WAIT_MS = 2000;
const NO_PASSWORD = new Uint8Array(16);

/**
 * The session over a sequence of connections: opens it, resumes it after a connection drops (same
 * id and password, never going back in zxid), re-registers watches, queues requests made while
 * disconnected, declares it lost — when the server says so, or one session timeout after the last
 * request the server answered — and then opens a new one, and closes it.
 */
export class Session implements AuthPort, ConfirmationPort {
  state: SessionState = 'connecting';
  sessionId = 0n;
  password: Uint8Array = NO_PASSWORD;
  negotiatedTimeoutMs = 0;
  lastZxid = 0n;
  readonly watches = new WatchRegistry();
  readonly counters: ConnectionCounters = { socketWrites: 0, framesSent: 0, framesReceived: 0 };
  readonly liveness: Liveness = {
    lastAnsweredSendTime: 0,
    onAnswered: (connection, sentAt, answeredAt) => {
      this.confirmation?.answered(connection, sentAt, answeredAt);
    },
  };
  readonly auth: Authenticator;
  onStateChange: (state: SessionState, detail: StateDetail) => void = () => undefined;
  /**
   * Called, with the state unchanged, when what holds something on the session must look again:
   * once as close() begins, before closeSession is written (`closing` is already true), and when
   * `trustDeadline` passes or the host is found to have slept.
   */
  onRecheck: () => void = () => undefined;

  private connection: Connection | undefined;
  private readonly connector: Connector;
  private readonly timeouts: RequestTimeouts;
  private xid = 0;
  /** Bumped whenever the session is lost or closed: connect loops of an older epoch give up. */
  private epoch = 0;
  private readonly confirmation: LeaderConfirmation | undefined;
  private readonly lossTimer = new LossTimer(
    () => this.answeredDeadline,
    () => {
      this.loseSession('timeout');
    },
  );
  private closePromise: Promise<void> | undefined;
  private closeRequested = false;
  private readonly lifetime = new AbortController();
  /** Waiting for the suspended session to settle: adopted again, lost, or failed. */
  private readonly settlement = new Settlement();
  /** Whether the current session was ever adopted: if not, its first adoption is `connected`. */
  private adoptedSession = false;
  private staleConnection: Connection | undefined;
  private readonly readOnly: ReadOnlyMode;

  constructor(private readonly options: SessionOptions) {
    this.auth = new Authenticator(options, this);
    this.connector = new Connector(
      options,
      {
        onNotification: (event, zxid) => {
          const listeners = this.watches.dispatch(event.type, event.path, zxid);
          if (channels.watch.hasSubscribers) publishWatch(event, zxid, listeners);
        },
        onZxid: (zxid) => {
          if (zxid > this.lastZxid) this.lastZxid = zxid;
        },
        onAuthReply: this.auth.onReply,
        onClose: (connection, error) => {
          this.auth.connectionClosed(connection);
          this.onConnectionClosed(connection, error);
        },
      },
      this.counters,
      this.liveness,
    );
    this.readOnly = new ReadOnlyMode(this.connector, options, this.lifetime.signal);
    this.timeouts = new RequestTimeouts(options.requestTimeoutMs, () => this.connection);
    const confirmation = options.leaderConfirmation;
    if (confirmation !== undefined) this.confirmation = new LeaderConfirmation(confirmation, this);
  }

  /** True once close() was called. */
  get closing(): boolean {
    return this.closeRequested;
  }

  /**
   * Until when the session can be trusted (monotonic ms, `performance.now()`): the deadline the
   * leader confirmed (see LeaderConfirmation) when that is on, never later than the one below.
   */
  get trustDeadline(): number | undefined {
    const answered = this.answeredDeadline;
    if (answered === undefined) return undefined;
    const confirmed = this.confirmation?.deadline;
    return confirmed === undefined ? answered : Math.min(answered, confirmed);
  }

  /**
   * When the server may have expired the session: one session timeout after the send time of the
   * last request it answered, since it touched the session no earlier than it received that
   * request; the session is declared lost then. Undefined while no session is being watched:
   * none yet, or a read-only server's own, which is never resumed (see ReadOnlyMode).
   */
  private get answeredDeadline(): number | undefined {
    const watched =
      this.state === 'connected' || this.state === 'reconnected' || this.state === 'suspended';
    return watched && this.sessionId !== 0n && !this.readOnly.local
      ? this.liveness.lastAnsweredSendTime + this.negotiatedTimeoutMs
      : undefined;
  }

  /** The server of the current connection, if connected. */
  get server(): HostAddress | undefined {
    return this.connection?.isOpen === true ? this.connection.server : undefined;
  }

  private get credentials(): Credentials {
    return { sessionId: this.sessionId, password: this.password, lastZxid: this.lastZxid };
  }

  /** Opens a new session, trying hosts with backoff until `connectTimeoutMs` runs out. */
  async start(): Promise<void> {
    const deadline = performance.now() + this.options.connectTimeoutMs;
    const opened = await this.openConnection(deadline, true);
    const failure = `could not open a session with ${this.connector.describeHosts()} within ${this.options.connectTimeoutMs} ms`;
    if (opened === undefined) {
      this.lifetime.abort();
      this.setState('closed', { sessionId: 0n });
      const last = this.connector.lastFailure;
      throw new ConnectionLossError(
        undefined,
        `CONNECTIONLOSS: ${failure}${last === undefined ? '' : `; last error: ${last.message}`}`,
        { cause: last },
      );
    }
    await this.adopt(opened, 'connected');
    // The connection dropped while it authenticated: the reconnect decides, within the deadline.
    if (this.state === 'suspended') await this.settlement.within(deadline - performance.now());
    if (this.auth.failure !== undefined || this.state === 'suspended' || this.state === 'lost') {
      await this.close();
      throw this.auth.failure ?? new ConnectionLossError(undefined, `CONNECTIONLOSS: ${failure}`);
    }
  }

  private openConnection(
    deadline: number,
    immediate: boolean,
    credentials = this.readOnly.credentials(this.credentials),
  ): Promise<Opened | undefined> {
    const epoch = this.epoch;
    return this.connector.open(
      {
        deadline,
        immediate,
        // Once there was a session, T is the negotiated timeout (the Java client's rule).
        timeoutMs:
          this.negotiatedTimeoutMs > 0 ? this.negotiatedTimeoutMs : this.options.sessionTimeoutMs,
        shouldContinue: () => this.epoch === epoch && !this.lifetime.signal.aborted,
        signal: this.lifetime.signal,
      },
      credentials,
    );
  }

  private async adopt(opened: Opened, state: 'connected' | 'reconnected'): Promise<void> {
    const { connection, response } = opened;
    if (response.timeOut <= 0) {
      connection.close(new SessionExpiredError());
      this.loseSession('expired');
      return;
    }
    if (!connection.isOpen) {
      // It dropped between the handshake and now: treat it as any other drop.
      this.suspend();
      return;
    }
    this.connection = connection;
    this.sessionId = response.sessionId;
    this.password = response.passwd ?? NO_PASSWORD;
    this.negotiatedTimeoutMs = response.timeOut;
    if (!(await this.auth.authenticate(connection, !this.adoptedSession))) return;
    // The Java client's order on a new connection: SetWatches first, then the queued requests.
    for (const { request, codec, body } of setWatchesRequests(this.watches, this.lastZxid, () =>
      this.nextXid(),
    )) {
      connection.sendOrFail(request, codec, body);
    }
    for (const { request, body, value } of this.timeouts.takeUnsent()) {
      connection.sendOrFail(request, body, value);
    }
    const adopted = this.readOnly.adopted(opened, state);
    if (adopted !== 'readOnly') this.confirmation?.connected(connection, response.timeOut);
    this.setState(adopted, { sessionId: this.sessionId });
    this.lossTimer.arm();
    this.adoptedSession = true;
    this.settlement.settle();
  }

  private setState(state: SessionState, detail: StateDetail): void {
    if (this.state === state) return;
    this.state = state;
    if (channels.state.hasSubscribers) {
      channels.state.publish({ state, ...detail } satisfies StateMessage);
    }
    callIsolated(() => {
      this.onStateChange(state, detail);
    });
  }

  private onConnectionClosed(connection: Connection, error: Error): void {
    if (connection !== this.connection) return;
    this.connection = undefined;
    this.confirmation?.disconnected();
    if (this.closePromise !== undefined || this.auth.failure !== undefined) return;
    if (error instanceof SessionExpiredError) this.loseSession('expired');
    else this.suspend(connection.promptReconnect);
  }

  private suspend(prompt = false): void {
    // A session whose first connection dropped before it was adopted has no loss timer yet.
    if (!this.adoptedSession && this.sessionId !== 0n) this.lossTimer.arm();
    this.setState('suspended', { sessionId: this.sessionId });
    void this.reconnect(undefined, prompt);
  }

  /**
   * Keeps trying until a server takes the session back (or, after a loss, opens the next one),
   * the session is lost, or close(). After a client-side loss it first ends the old session if a
   * server still has it.
   */
  private async reconnect(stale?: Credentials, prompt = false): Promise<void> {
    const epoch = this.epoch;
    if (stale !== undefined) await this.closeStaleSession(stale);
    const opened = await this.openConnection(Number.POSITIVE_INFINITY, prompt);
    if (opened === undefined) return;
    if (epoch !== this.epoch || this.lifetime.signal.aborted) {
      opened.connection.close(new ClientClosedError());
      return;
    }
    await this.adopt(opened, this.adoptedSession ? 'reconnected' : 'connected');
  }

  private loseSession(cause: LossCause): void {
    if (this.state === 'lost' || this.state === 'closed') return;
    this.epoch++;
    this.lossTimer.stop();
    this.confirmation?.reset();
    const lost: Credentials = this.credentials;
    this.sessionId = 0n;
    this.password = NO_PASSWORD;
    const connection = this.connection;
    this.connection = undefined;
    connection?.close(new SessionExpiredError());
    for (const { request } of this.timeouts.takeUnsent())
      request.fail(new SessionExpiredError(request.path));
    this.watches.failAll('sessionExpired');
    if (!this.options.newSessionOnLoss) this.auth.rejectWaiting(new SessionExpiredError());
    this.adoptedSession = false;
    this.setState('lost', { sessionId: lost.sessionId, cause });
    this.settlement.settle();
    if (this.options.newSessionOnLoss && this.closePromise === undefined) {
      void this.reconnect(cause === 'timeout' ? lost : undefined);
    }
  }

  /** The server refused our credentials: as the Java client, stop for good (no reconnect storm). */
  failed(error: Error): void {
    if (this.closePromise !== undefined) return;
    this.connection?.close(error);
    for (const { request } of this.timeouts.takeUnsent()) request.fail(error);
    this.confirmation?.reset();
    this.setState('authFailed', { sessionId: this.sessionId });
    this.settlement.settle();
  }

  /** Resumes the lost session just to send closeSession, so its ephemerals go now, not at expiry. */
  private async closeStaleSession(stale: Credentials): Promise<void> {
    const deadline = performance.now() + this.options.sessionTimeoutMs;
    const opened = await this.openConnection(deadline, false, stale);
    if (opened === undefined) return;
    this.staleConnection = opened.connection;
    await endStaleSession(opened, this.nextXid(), CLOSE_SESSION_WAIT_MS);
    this.staleConnection = undefined;
  }

  nextXid(): number {
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
    const refused = this.refusal(path);
    if (refused !== undefined) return Promise.reject(refused);
    return new Promise<R>((resolve, reject) => {
      const xid = this.nextXid();
      const [settle, fail] = traceRequest(
        xid,
        opcode,
        path,
        this.sessionId,
        resolve as (value: unknown) => void,
        reject,
      );
      const request = new Request(xid, opcode, path, response, settle, fail, onReply);
      const codec = body as RecordCodec<unknown> | null;
      this.timeouts.dispatch({ request, body: codec, value }, this.usableConnection());
    });
  }

  /** Why a new call is refused now, if it is. */
  refusal(path?: string): Error | undefined {
    if (this.closePromise !== undefined || this.state === 'closed') return new ClientClosedError();
    const lostForGood = this.state === 'lost' && !this.options.newSessionOnLoss;
    return lostForGood ? new SessionExpiredError(path) : this.auth.refusal(path);
  }

  usableConnection(): Connection | undefined {
    const ready = ['connected', 'reconnected', 'readOnly'].includes(this.state);
    return ready && this.connection?.isOpen === true ? this.connection : undefined;
  }

  /**
   * Ends the session: sends closeSession (so the server deletes our ephemerals at once) and waits
   * for its answer, and for a reconnect first if the connection is down, at most 2 s in all; then
   * fails whatever is still pending with ClientClosedError. Idempotent.
   */
  close(): Promise<void> {
    if (this.closePromise === undefined) {
      this.closeRequested = true;
      callIsolated(this.onRecheck);
      this.closePromise = this.doClose();
    }
    return this.closePromise;
  }

  private async doClose(): Promise<void> {
    const deadline = performance.now() + CLOSE_SESSION_WAIT_MS;
    for (const { request } of this.timeouts.takeUnsent()) request.fail(new ClientClosedError());
    this.auth.rejectWaiting(new ClientClosedError());
    if (this.state === 'suspended') await this.settlement.within(deadline - performance.now());
    const connection = this.connection;
    if (connection?.isOpen === true && this.state !== 'lost') {
      const waitMs = Math.min(deadline - performance.now(), this.negotiatedTimeoutMs);
      await sendCloseSession(connection, this.nextXid(), waitMs);
    }
    this.epoch++;
    this.lifetime.abort();
    this.lossTimer.stop();
    this.confirmation?.reset();
    this.connection?.close(new ClientClosedError());
    this.connection = undefined;
    this.staleConnection?.close(new ClientClosedError());
    this.timeouts.stop();
    this.watches.failAll('closed');
    this.setState('closed', { sessionId: this.sessionId });
  }
}

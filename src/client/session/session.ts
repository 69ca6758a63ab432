import type { RecordCodec } from '../../protocol/index.js';
import { Authenticator, type AuthPort } from './authenticate.js';
import type { HostAddress } from '../connect-string.js';
import { Connector } from '../transport/connector.js';
import type { Credentials, Opened } from '../transport/connector.js';
import type {
  ConnectionCounters,
  Dial,
  Transport,
  TransportEvents,
} from '../transport/transport.js';
import { channels, publishWatch } from './diagnostics.js';
import type { StateMessage } from './diagnostics.js';
import { ClientClosedError, ConnectionLossError, SessionExpiredError } from '../errors.js';
import type { ConfirmationPort } from './leader-confirmation.js';
import { SessionTrust } from './session-trust.js';
import { ReadOnlyMode } from './read-only-mode.js';
import type { ReadOnlyProbe } from '../transport/rw-server-probe.js';
import { PendingRequests } from './pending-requests.js';
import type { ReplyPort, SendOn } from './pending-requests.js';
import { tracedRequest } from './request.js';
import type { ReplyHook } from './request.js';
import type { LossCause, SessionOptions, SessionState, StateDetail } from './session-types.js';
import { setWatchesRequests } from './set-watches.js';
import { sendCloseSession, StaleSessionEnd } from './close-session.js';
import { callIsolated } from '../isolated-call.js';
import { Settlement } from './settle-within.js';
import { WatchRegistry } from '../watches/watch-registry.js';

/** How long close() waits, in all, for a reconnect and for the answer to closeSession. */
const CLOSE_SESSION_WAIT_MS = 2000;
const NO_PASSWORD = new Uint8Array(16);

/**
 * The session over a sequence of connections: opens it, resumes it after a connection drops (same
 * id and password, never going back in zxid), re-registers watches, queues requests made while
 * disconnected, declares it lost — when the server says so, or one session timeout after the last
 * request the server answered — and then opens a new one, and closes it.
 */
export class Session implements AuthPort, ConfirmationPort, ReplyPort {
  state: SessionState = 'connecting';
  sessionId = 0n;
  password: Uint8Array = NO_PASSWORD;
  negotiatedTimeoutMs = 0;
  lastZxid = 0n;
  readonly watches = new WatchRegistry();
  readonly auth: Authenticator;
  onStateChange: (state: SessionState, detail: StateDetail) => void = () => undefined;
  /**
   * Called, with the state unchanged, when what holds something on the session must look again:
   * once as close() begins, before closeSession is written (`closing` is already true), and when
   * `trustDeadline` passes or the host is found to have slept.
   */
  onRecheck: () => void = () => undefined;

  private connection: Transport | undefined;
  private readonly connector: Connector;
  private readonly pending: PendingRequests;
  private readonly events: TransportEvents;
  private xid = 0;
  /** Bumped whenever the session is lost or closed: connect loops of an older epoch give up. */
  private epoch = 0;
  private readonly trust: SessionTrust;
  private closePromise: Promise<void> | undefined;
  private closeRequested = false;
  private readonly lifetime = new AbortController();
  /** Waiting for the suspended session to settle: adopted again, lost, or failed. */
  private readonly settlement = new Settlement();
  /** Whether the current session was ever adopted: if not, its first adoption is `connected`. */
  private adoptedSession = false;
  private staleEnd: StaleSessionEnd | undefined;
  private readonly readOnly: ReadOnlyMode;

  /** `dial` and `askReadOnly` are seams for tests: a fake transport, a fake probe. */
  constructor(
    private readonly options: SessionOptions,
    dial?: Dial,
    askReadOnly?: ReadOnlyProbe,
  ) {
    this.auth = new Authenticator(options, this);
    this.connector = new Connector(options, dial);
    this.events = {
      onReply: (transport, header, reader, receivedAt) => {
        this.pending.replied(transport, header, reader, receivedAt);
      },
      onNotification: (event, zxid) => {
        const listeners = this.watches.dispatch(event.type, event.path, zxid);
        if (channels.watch.hasSubscribers) publishWatch(event, zxid, listeners);
      },
      onAuthReply: this.auth.onReply,
      onAnswered: (transport, sentAt, answeredAt) => {
        this.onAnswered(transport, sentAt, answeredAt);
      },
      onClose: (transport, error) => {
        this.pending.transportClosed(transport, error);
        this.auth.connectionClosed(transport);
        this.onConnectionClosed(transport, error);
      },
    };
    this.readOnly = new ReadOnlyMode(this.connector, options, this.lifetime.signal, askReadOnly);
    this.pending = new PendingRequests(options.requestTimeoutMs, this);
    this.trust = new SessionTrust(
      () => {
        const { state } = this;
        const watched = state === 'connected' || state === 'reconnected' || state === 'suspended';
        return watched && this.sessionId !== 0n && !this.readOnly.local
          ? this.negotiatedTimeoutMs
          : undefined;
      },
      () => {
        this.loseSession('timeout');
      },
      options.leaderConfirmation,
      this,
    );
  }

  /** Wire counters, summed over the session's connections. */
  get counters(): ConnectionCounters {
    return this.connector.counters;
  }

  onZxid(zxid: bigint): void {
    if (zxid > this.lastZxid) this.lastZxid = zxid;
  }

  onAnswered(transport: Transport, sentAt: number, answeredAt: number): void {
    this.trust.answered(transport, sentAt, answeredAt);
  }

  /** True once close() was called. */
  get closing(): boolean {
    return this.closeRequested;
  }

  /**
   * Until when the session can be trusted (monotonic ms, `performance.now()`): one session
   * timeout after the send time of the last request answered, and no later than the leader
   * confirmed when that is on (see SessionTrust). Undefined while no session is watched.
   */
  get trustDeadline(): number | undefined {
    return this.trust.deadline;
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
    events = this.events,
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
      events,
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
      this.pending.send(connection, request, codec, body);
    }
    this.pending.sendUnsent(connection);
    const adopted = this.readOnly.adopted(opened, state);
    if (adopted !== 'readOnly') this.trust.confirmOn(connection, response.timeOut);
    this.setState(adopted, { sessionId: this.sessionId });
    this.trust.armLossTimer();
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

  private onConnectionClosed(connection: Transport, error: Error): void {
    if (connection !== this.connection) return;
    this.connection = undefined;
    this.trust.disconnected();
    if (this.closePromise !== undefined || this.auth.failure !== undefined) return;
    if (error instanceof SessionExpiredError) this.loseSession('expired');
    else this.suspend(connection.promptReconnect);
  }

  private suspend(prompt = false): void {
    // A session whose first connection dropped before it was adopted has no loss timer yet.
    if (!this.adoptedSession && this.sessionId !== 0n) this.trust.armLossTimer();
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
    this.trust.stop();
    const lost: Credentials = this.credentials;
    this.sessionId = 0n;
    this.password = NO_PASSWORD;
    const connection = this.connection;
    this.connection = undefined;
    connection?.close(new SessionExpiredError());
    this.pending.failUnsent((path) => new SessionExpiredError(path));
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
    this.pending.failUnsent(() => error);
    this.trust.reset();
    this.setState('authFailed', { sessionId: this.sessionId });
    this.settlement.settle();
  }

  /** Resumes the lost session just to send closeSession, so its ephemerals go now, not at expiry. */
  private async closeStaleSession(stale: Credentials): Promise<void> {
    const deadline = performance.now() + this.options.sessionTimeoutMs;
    const end = new StaleSessionEnd((zxid) => {
      this.onZxid(zxid);
    });
    this.staleEnd = end;
    const opened = await this.openConnection(deadline, false, stale, end.events);
    if (opened !== undefined) await end.run(opened, this.nextXid(), CLOSE_SESSION_WAIT_MS);
    this.staleEnd = undefined;
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
    const xid = this.nextXid();
    const [request, promise] = tracedRequest(xid, opcode, path, this.sessionId, response, onReply);
    const codec = body as RecordCodec<unknown> | null;
    this.pending.submit({ request, body: codec, value }, this.usableConnection());
    return promise;
  }

  /** Why a new call is refused now, if it is. */
  refusal(path?: string): Error | undefined {
    if (this.closePromise !== undefined || this.state === 'closed') return new ClientClosedError();
    const lostForGood = this.state === 'lost' && !this.options.newSessionOnLoss;
    return lostForGood ? new SessionExpiredError(path) : this.auth.refusal(path);
  }

  /** Writes a request on `transport` (see PendingRequests.send). */
  readonly send: SendOn = (transport, request, body, value) => {
    this.pending.send(transport, request, body, value);
  };

  usableConnection(): Transport | undefined {
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
    this.pending.failUnsent(() => new ClientClosedError());
    this.auth.rejectWaiting(new ClientClosedError());
    if (this.state === 'suspended') await this.settlement.within(deadline - performance.now());
    const connection = this.connection;
    if (connection?.isOpen === true && this.state !== 'lost') {
      const waitMs = Math.min(deadline - performance.now(), this.negotiatedTimeoutMs);
      await sendCloseSession(this.pending, connection, this.nextXid(), waitMs);
    }
    this.epoch++;
    this.lifetime.abort();
    this.trust.stop();
    this.connection?.close(new ClientClosedError());
    this.connection = undefined;
    this.staleEnd?.close();
    this.pending.stop();
    this.watches.failAll('closed');
    this.setState('closed', { sessionId: this.sessionId });
  }
}

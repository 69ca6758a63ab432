import { OpCode, SyncRequest, SyncResponse } from '../protocol/index.js';
import { ClockWatch } from './clock-watch.js';
import type { Connection } from './connection.js';
import { channels } from './diagnostics.js';
import type { TrustMessage } from './diagnostics.js';
import { ConnectionLossError } from './errors.js';
import { callIsolated } from './isolated-call.js';
import { LeaderTrust } from './leader-trust.js';
import type { SyncTicket } from './leader-trust.js';
import { LossTimer } from './loss-timer.js';
import { Request } from './request.js';

export interface LeaderConfirmationOptions {
  /** The servers' tickTime (an upper bound on it), ms; undefined: half the session timeout. */
  readonly tickTimeMs: number | undefined;
  /** How often to sync; at most the longest interval that keeps trust unbroken. */
  readonly syncIntervalMs: number | undefined;
}

/** What the confirmation needs of its session. */
export interface ConfirmationPort {
  readonly sessionId: bigint;
  nextXid(): number;
  /** Told when the deadline passes or the host slept: whatever holds something looks again. */
  readonly onRecheck: () => void;
}

/** How often to look for a host suspend while there is trust to lose, ms. */
const CLOCK_CHECK_MS = 500;

/**
 * Keeps the session confirmed by the leader while it is connected to a read/write server: sends
 * `sync` at a cadence, feeds every answer to the LeaderTrust, and acts when trust fails. A sync
 * still unanswered after the longest sync interval means the server does not reach the leader
 * (or not in time): we leave it for another, where re-validating the session renews trust —
 * usually before the deadline, so that holds survive a member cut off from the quorum. When the
 * deadline passes all the same, or the host was suspended, the holders are told and we leave too.
 */
export class LeaderConfirmation {
  private trust: LeaderTrust | undefined;
  private connection: Connection | undefined;
  /** The sync in flight on `connection`, if any: one at a time. */
  private inFlight: SyncTicket | undefined;
  private chain: NodeJS.Timeout | undefined;
  private clockCheck: NodeJS.Timeout | undefined;
  private readonly clock = new ClockWatch();
  /** When a host suspend was noticed (monotonic ms): trust ended then, whatever the deadline. */
  private suspendedAt: number | undefined;
  private readonly lapseTimer = new LossTimer(
    () => this.deadline,
    () => {
      this.onLapse('deadline');
    },
  );

  constructor(
    private readonly options: LeaderConfirmationOptions,
    private readonly port: ConfirmationPort,
  ) {}

  /**
   * Until when the leader surely keeps the session (monotonic ms); undefined without a session.
   * Checks for a host suspend first, so a caller gets an exact answer right after one.
   */
  get deadline(): number | undefined {
    const deadline = this.trust?.deadline;
    if (deadline === undefined) return undefined;
    this.noticeSuspend();
    return this.suspendedAt === undefined ? deadline : Math.min(deadline, this.suspendedAt);
  }

  private noticeSuspend(): void {
    if (this.trust === undefined || this.suspendedAt !== undefined || !this.clock.jumped()) return;
    this.suspendedAt = performance.now();
    // Not from inside the deadline's getter: whoever reads it may be one of the told.
    setImmediate(() => {
      this.onLapse('clockJump');
    });
  }

  /** A handshake sent at `sentAt` opened or resumed the session on `connection`. */
  connected(connection: Connection, sentAt: number, sessionTimeoutMs: number): void {
    this.trust ??= new LeaderTrust(
      sessionTimeoutMs,
      this.options.tickTimeMs ?? sessionTimeoutMs / 2,
    );
    this.trust.connected(sentAt);
    this.clock.rebase();
    this.suspendedAt = undefined;
    this.connection = connection;
    this.inFlight = undefined;
    this.lapseTimer.arm();
    clearInterval(this.clockCheck);
    this.clockCheck = setInterval(() => {
      this.noticeSuspend();
    }, CLOCK_CHECK_MS).unref();
    this.scheduleSync(0);
  }

  /** A request (or ping) sent at `sentAt` was answered on `connection`. */
  answered(connection: Connection, sentAt: number, answeredAt: number): void {
    if (connection === this.connection) this.trust?.answered(sentAt, answeredAt);
  }

  /** The connection is gone: what its syncs would prove is gone with it; the deadline stands. */
  disconnected(): void {
    this.connection = undefined;
    this.inFlight = undefined;
    clearTimeout(this.chain);
  }

  /** The session ended: no trust to keep. */
  reset(): void {
    this.disconnected();
    this.trust = undefined;
    this.lapseTimer.stop();
    clearInterval(this.clockCheck);
  }

  private interval(): number | undefined {
    const longest = this.trust?.syncIntervalMs;
    if (longest === undefined) return undefined;
    return Math.min(this.options.syncIntervalMs ?? longest, longest);
  }

  private scheduleSync(delayMs: number): void {
    clearTimeout(this.chain);
    this.chain = setTimeout(() => {
      this.onSyncDue();
    }, delayMs).unref();
  }

  private onSyncDue(): void {
    const connection = this.connection;
    const interval = this.interval();
    if (connection === undefined || interval === undefined) return;
    const waiting = this.inFlight;
    if (waiting === undefined) {
      this.sendSync(connection);
    } else if (performance.now() - waiting.sentAt >= (this.trust?.syncIntervalMs ?? interval)) {
      // At the longest interval the chain holds only if each sync is answered before the next
      // one leaves: this one was not, so the deadline passes within about two more.
      this.leave(connection);
      return;
    }
    this.scheduleSync(interval);
  }

  private sendSync(connection: Connection): void {
    const trust = this.trust;
    if (trust === undefined) return;
    const ticket = trust.syncSent(performance.now());
    this.inFlight = ticket;
    const answered = (): void => {
      if (this.inFlight !== ticket) return;
      this.inFlight = undefined;
      const answeredAt = performance.now();
      trust.syncAnswered(ticket, answeredAt);
      if (channels.trust.hasSubscribers) {
        channels.trust.publish({
          event: 'confirmed',
          sessionId: this.port.sessionId,
          deadline: trust.deadline,
          syncSentAt: ticket.sentAt,
          answeredAt,
        } satisfies TrustMessage);
      }
    };
    const failed = (): void => {
      // The connection's end (or a request timeout) is handled where it happens.
      if (this.inFlight === ticket) this.inFlight = undefined;
    };
    const request = new Request(
      this.port.nextXid(),
      OpCode.sync,
      '/',
      SyncResponse,
      answered,
      failed,
      undefined,
    );
    connection.sendOrFail(request, SyncRequest, { path: '/' });
  }

  private onLapse(reason: 'deadline' | 'clockJump'): void {
    if (this.trust === undefined) return;
    if (channels.trust.hasSubscribers) {
      channels.trust.publish({
        event: 'lapsed',
        sessionId: this.port.sessionId,
        reason,
      } satisfies TrustMessage);
    }
    callIsolated(this.port.onRecheck);
    if (this.connection !== undefined && this.interval() !== undefined) this.leave(this.connection);
  }

  /** Drops the connection: the session reconnects, to another server when there is one. */
  private leave(connection: Connection): void {
    const server = `${connection.server.host}:${connection.server.port}`;
    if (channels.trust.hasSubscribers) {
      channels.trust.publish({
        event: 'left',
        sessionId: this.port.sessionId,
        server,
      } satisfies TrustMessage);
    }
    connection.close(
      new ConnectionLossError(
        undefined,
        `CONNECTIONLOSS: the leader did not confirm the session through ${server} in time`,
      ),
    );
  }
}

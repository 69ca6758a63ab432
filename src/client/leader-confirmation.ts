import { OpCode, SyncRequest, SyncResponse } from '../protocol/index.js';
import { ClockWatch } from './clock-watch.js';
import type { Connection } from './connection.js';
import { channels } from './diagnostics.js';
import type { TrustMessage } from './diagnostics.js';
import { ConnectionLossError, RequestTimeoutError } from './errors.js';
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
 * `sync` at a cadence, feeds every answer to the LeaderTrust, and acts when trust fails. A server
 * that passed syncs on and still holds one when the deadline is half a longest sync interval away
 * no longer reaches the leader (a healthy chain keeps it further ahead): we leave it for another
 * at once, where re-validating the session renews trust — before the deadline when the
 * reconnect is quick enough, so that holds survive a member cut off from the quorum. When the
 * deadline passes all the same, or the host was suspended, the holders are told and we leave
 * too: past it, only a new handshake can restore trust.
 */
export class LeaderConfirmation {
  private trust: LeaderTrust | undefined;
  /** The session timeout `trust` counts with: a member may grant a resumed session another. */
  private trustTimeoutMs = 0;
  private connection: Connection | undefined;
  /** The sync in flight on `connection`, if any: one at a time. */
  private inFlight: SyncTicket | undefined;
  /** Whether `connection` has passed a sync on: only then does a silence mean it stopped. */
  private passedSyncs = false;
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
  private readonly leaveTimer = new LossTimer(
    () => this.leaveAt,
    () => {
      if (this.connection !== undefined && this.inFlight !== undefined) this.leave(this.connection);
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

  /**
   * When to give up on the server holding our sync: half a longest interval before the deadline,
   * once it has passed a sync on (one merely slow everywhere, a busy leader, would otherwise be
   * left again after every reconnect; a server that never passed one is left as the deadline
   * passes). Undefined while there is nothing to give up on.
   */
  private get leaveAt(): number | undefined {
    const longest = this.trust?.syncIntervalMs;
    const deadline = this.trust?.deadline;
    const waiting = this.connection !== undefined && this.inFlight !== undefined;
    if (!waiting || !this.passedSyncs || longest === undefined || deadline === undefined) {
      return undefined;
    }
    return deadline - longest / 2;
  }

  /** The handshake of `connection` opened or resumed the session, granting `sessionTimeoutMs`. */
  connected(connection: Connection, sessionTimeoutMs: number): void {
    const sentAt = connection.handshakeSentAt;
    if (this.trust === undefined || this.trustTimeoutMs !== sessionTimeoutMs) {
      // Another T: the leader now counts with it (a shorter one may have moved expiry earlier).
      this.trust = new LeaderTrust(
        sessionTimeoutMs,
        this.options.tickTimeMs ?? sessionTimeoutMs / 2,
      );
      this.trustTimeoutMs = sessionTimeoutMs;
    }
    this.trust.connected(sentAt);
    // Counted from when the handshake left: a suspend while it was on its way counts too.
    this.clock.rebase(connection.handshakeSentAtWall - sentAt);
    this.suspendedAt = undefined;
    this.connection = connection;
    this.inFlight = undefined;
    this.passedSyncs = false;
    this.lapseTimer.arm();
    clearInterval(this.clockCheck);
    this.clockCheck = setInterval(() => {
      this.noticeSuspend();
    }, CLOCK_CHECK_MS).unref();
    this.scheduleSync(0);
    this.noticeSuspend();
  }

  /** A request (or ping) sent at `sentAt` was answered on `connection`. */
  answered(connection: Connection, sentAt: number, answeredAt: number): void {
    if (connection !== this.connection) return;
    this.trust?.answered(sentAt, answeredAt);
    // The first I/O after a resume: tell holders now rather than at the next periodic check.
    this.noticeSuspend();
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
    this.leaveTimer.stop();
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
    // One at a time: a sync still on its way is the leave timer's business.
    if (this.inFlight === undefined) this.sendSync(connection);
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
      this.passedSyncs = true;
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
    const failed = (error: Error): void => {
      // Timed out by the request timeout, it is still held where it is: the leave timer decides.
      // The connection's end is handled where it happens.
      if (this.inFlight === ticket && !(error instanceof RequestTimeoutError)) {
        this.inFlight = undefined;
      }
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
    this.leaveTimer.arm();
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
    // Past the deadline no sync can extend trust (the leader may be closing the session, and a
    // sync's answer would not say): only a handshake, re-validating the session, can. At most
    // once per T′ after one, however slow the servers; pointless without a chain to keep it.
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
    // Straight to the next server, without the reconnect jitter: trust is running out.
    connection.promptReconnect = true;
    connection.close(
      new ConnectionLossError(
        undefined,
        `CONNECTIONLOSS: the leader did not confirm the session through ${server} in time`,
      ),
    );
  }
}

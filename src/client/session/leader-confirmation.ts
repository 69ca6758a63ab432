import { OpCode, SyncRequest, SyncResponse } from '../../protocol/index.js';
import { ClockWatch, clockOffset } from './clock-watch.js';
import type { Transport } from '../transport/transport.js';
import { channels } from './diagnostics.js';
import type { TrustMessage } from './diagnostics.js';
import { ConnectionLossError } from '../errors.js';
import { callIsolated } from '../isolated-call.js';
import { LeaderTrust } from './leader-trust.js';
import type { SyncTicket } from './leader-trust.js';
import type { LeaderConfirmationOptions } from './session-types.js';
import { LossTimer } from './loss-timer.js';
import type { OutstandingRequest } from './request-queue.js';
import type { SendOn } from './pending-requests.js';

/** What the confirmation needs of its session. */
export interface ConfirmationPort {
  readonly sessionId: bigint;
  /** close() was called: the connection is for closeSession now, not to be left. */
  readonly closing: boolean;
  nextXid(): number;
  readonly send: SendOn;
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
  /**
   * The shortest session timeout any member granted this session: the leader expires it by the
   * timeout of the touch it applied last (a late one from a member left behind, too), and a new
   * leader by the one it was created with.
   */
  private shortestTimeoutMs = Number.POSITIVE_INFINITY;
  private connection: Transport | undefined;
  /** The sync in flight on `connection`, if any: one at a time. */
  private inFlight: SyncTicket | undefined;
  /** Whether `connection` has passed a sync on: only then does a silence mean it stopped. */
  private passedSyncs = false;
  /** How long before the deadline to give up on the sync in flight (drawn for each sync). */
  private leaveLeadMs = 0;
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

  /** `offset`: the clocks' offset now, when the caller has read it already. */
  private noticeSuspend(offset?: number): void {
    if (this.trust === undefined || this.suspendedAt !== undefined || !this.clock.jumped(offset)) {
      return;
    }
    this.suspendedAt = performance.now();
    // Not from inside the deadline's getter: whoever reads it may be one of the told.
    setImmediate(() => {
      this.onLapse('clockJump');
    });
  }

  /**
   * When to give up on the server holding our sync: a quarter to half a longest interval before
   * the deadline (drawn, so that the clients of one stalled server do not all leave at once),
   * once it has passed a sync on (one merely slow everywhere, a busy leader, would otherwise be
   * left again after every reconnect; a server that never passed one is left as the deadline
   * passes). Undefined while there is nothing to give up on.
   */
  private get leaveAt(): number | undefined {
    const deadline = this.trust?.deadline;
    const waiting = this.connection !== undefined && this.inFlight !== undefined;
    if (!waiting || !this.passedSyncs || deadline === undefined) return undefined;
    return deadline - this.leaveLeadMs;
  }

  /** The handshake of `connection` opened or resumed the session, granting `sessionTimeoutMs`. */
  connected(connection: Transport, sessionTimeoutMs: number): void {
    const sentAt = connection.handshakeSentAt;
    if (this.trust === undefined || sessionTimeoutMs < this.shortestTimeoutMs) {
      // A shorter T than before: the leader may count with it now, even expire earlier.
      this.shortestTimeoutMs = sessionTimeoutMs;
      this.trust = new LeaderTrust(
        sessionTimeoutMs,
        this.options.tickTimeMs ?? sessionTimeoutMs / 2,
      );
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
  answered(connection: Transport, sentAt: number, answeredAt: number): void {
    if (connection !== this.connection) return;
    // One read of the clocks per answer (this runs for every reply): the first I/O after a
    // resume tells holders now rather than at the next periodic check.
    const offset = clockOffset();
    this.noticeSuspend(offset);
    this.trust?.answered(sentAt, answeredAt, offset);
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
    this.shortestTimeoutMs = Number.POSITIVE_INFINITY;
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
    if (connection?.isOpen !== true || interval === undefined) return;
    // One at a time: a sync still on its way is the leave timer's business.
    if (this.inFlight === undefined) this.sendSync(connection);
    this.scheduleSync(interval);
  }

  private sendSync(connection: Transport): void {
    const trust = this.trust;
    const longest = trust?.syncIntervalMs;
    if (trust === undefined || longest === undefined) return;
    const ticket = trust.syncSent(performance.now());
    this.inFlight = ticket;
    this.leaveLeadMs = longest * (0.25 + Math.random() * 0.25);
    const answered = (): void => {
      if (this.inFlight !== ticket) return;
      this.inFlight = undefined;
      this.passedSyncs = true;
      const answeredAt = performance.now();
      // answered() has just looked at the clocks for this reply (the connection reports every
      // answer before it settles the request).
      const basisMark = trust.syncAnswered(ticket, answeredAt, clockOffset());
      // Counted from the basis now: a suspend before it no longer matters, one after it does.
      if (basisMark !== undefined && this.suspendedAt === undefined) this.clock.rebase(basisMark);
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
    const ended = (): void => {
      // The connection's end is handled where it happens.
      if (this.inFlight === ticket) this.inFlight = undefined;
    };
    this.port.send(connection, new ChainSync(this.port.nextXid(), answered, ended), SyncRequest, {
      path: '/',
    });
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
  private leave(connection: Transport): void {
    // closeSession may be on its way on it: let close() finish with this server.
    if (this.port.closing) return;
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

/**
 * A sync of the chain on the wire: settled by its answer or by the connection's end, never by
 * the request timeout (it is not a Request): a sync still unanswered is the leave timer's call.
 */
class ChainSync implements OutstandingRequest {
  readonly opcode = OpCode.sync;
  readonly path = '/';
  readonly response = SyncResponse;
  readonly createdAt = performance.now();
  sentAt = 0;

  constructor(
    readonly xid: number,
    private readonly onAnswer: () => void,
    private readonly onEnd: () => void,
  ) {}

  complete(err: number): void {
    // An error answer (none is expected for a sync) proves nothing.
    if (err === 0) this.onAnswer();
    else this.onEnd();
  }

  fail(): void {
    this.onEnd();
  }
}

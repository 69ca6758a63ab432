import type { Transport } from '../transport/transport.js';
import { LeaderConfirmation } from './leader-confirmation.js';
import type { ConfirmationPort } from './leader-confirmation.js';
import { LossTimer } from './loss-timer.js';
import type { LeaderConfirmationOptions } from './session-types.js';

/**
 * How long the session can be trusted: the loss timer on answered requests, and, when it is on,
 * the deadline the leader confirmed (LeaderConfirmation). The session tells it what happens on
 * the wire and to the session; it tells the session when the session must be declared lost.
 */
export class SessionTrust {
  /**
   * The send time (monotonic ms) of the newest request, ping or handshake the server answered:
   * it touched the session no earlier than it received that.
   */
  private lastAnsweredSendTime = 0;
  private readonly lossTimer: LossTimer;
  private readonly confirmation: LeaderConfirmation | undefined;

  constructor(
    /**
     * The negotiated timeout while a session is watched; undefined while none is: none yet, or a
     * read-only server's own, which is never resumed (see ReadOnlyMode).
     */
    private readonly watchedTimeoutMs: () => number | undefined,
    onLost: () => void,
    confirmation: LeaderConfirmationOptions | undefined,
    port: ConfirmationPort,
  ) {
    this.lossTimer = new LossTimer(() => this.answeredDeadline, onLost);
    if (confirmation !== undefined) this.confirmation = new LeaderConfirmation(confirmation, port);
  }

  /**
   * Until when the session can be trusted (monotonic ms, `performance.now()`): the deadline the
   * leader confirmed when that is on, never later than the answered deadline.
   */
  get deadline(): number | undefined {
    const answered = this.answeredDeadline;
    if (answered === undefined) return undefined;
    const confirmed = this.confirmation?.deadline;
    return confirmed === undefined ? answered : Math.min(answered, confirmed);
  }

  /**
   * When the server may have expired the session: one session timeout after the send time of the
   * last request it answered, since it touched the session no earlier than it received that
   * request; the session is declared lost then.
   */
  private get answeredDeadline(): number | undefined {
    const timeoutMs = this.watchedTimeoutMs();
    return timeoutMs === undefined ? undefined : this.lastAnsweredSendTime + timeoutMs;
  }

  /** A request, ping or handshake sent at `sentAt` was answered on `transport`. */
  answered(transport: Transport, sentAt: number, answeredAt: number): void {
    if (sentAt > this.lastAnsweredSendTime) this.lastAnsweredSendTime = sentAt;
    this.confirmation?.answered(transport, sentAt, answeredAt);
  }

  /** The handshake on `transport`, to a read/write server, opened or resumed the session. */
  confirmOn(transport: Transport, grantedMs: number): void {
    this.confirmation?.connected(transport, grantedMs);
  }

  /** (Re)starts the loss timer from the current deadline. */
  armLossTimer(): void {
    this.lossTimer.arm();
  }

  disconnected(): void {
    this.confirmation?.disconnected();
  }

  /** The session is over or refused: no trust is left to keep. */
  reset(): void {
    this.confirmation?.reset();
  }

  /** The session is lost or closed: no clock runs for it. */
  stop(): void {
    this.lossTimer.stop();
    this.confirmation?.reset();
  }
}

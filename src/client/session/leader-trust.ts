import { CLOCK_JUMP_TOLERANCE_MS } from './clock-watch.js';

/**
 * How long the **leader** surely keeps our session, counted on the client's monotonic clock from
 * round trips that went through it. A follower answers pings and reads by itself, and one cut off
 * from the leader goes on answering for syncLimit × tickTime while the leader expires its sessions
 * after T; so a hold must not count from what the connected server answered, only from what an
 * answered `sync` proves the leader has applied. The derivation, step by step, with its
 * assumptions, is in docs/sessions.md ("Trust confirmed by the leader"); in short:
 *
 * - A server records a touch of the session when a request reaches it, and a follower hands its
 *   touches to the leader only in its answer to the leader's next ping. The leader pings every
 *   tickTime/2; we assume a follower answers one in every tickTime (A).
 * - The follower forwards a sync to the leader on the same ordered stream as its ping answers,
 *   and answers it only once the leader has processed it. So an answered sync k proves that the
 *   leader applied every touch the follower recorded at least tickTime before it forwarded k: that
 *   of any request j answered at least tickTime before k was sent (A).
 * - The leader applying a touch sets the session's expiry to at least T after that moment, which
 *   is after j was sent: the session lives until s_j + T at least, unless it was already closing;
 *   and it was not, as long as our previous deadline had not passed when k's answer came.
 * - Clocks: T is measured by the leader's clock and our deadline by ours; both may run off by up
 *   to ρ, so we count T·(1 − 2ρ), less ε for the resolution of what we measure and a host
 *   suspend too short to notice. T is the shortest any member granted (LeaderConfirmation).
 */

/** ρ: how far apart the leader's and our clock rates may be, each way (NTP slews at most 500 ppm). */
export const CLOCK_RATE_ERROR = 0.001;
/**
 * ε, taken off every deadline: timer and clock resolution on our side (10 ms), and the host
 * suspend short enough to go unnoticed (see ClockWatch).
 */
export const DEADLINE_MARGIN_MS = 10 + 2 * CLOCK_JUMP_TOLERANCE_MS;

/** A sync on its way: when it left, and what its answer would prove. */
export interface SyncTicket {
  readonly sentAt: number;
  /** The send time of the request whose touch an answer proves the leader applied, if any. */
  readonly basis: number | undefined;
  /** The caller's mark of the basis (see `answered`). */
  readonly basisMark: number;
}

interface Answered {
  readonly sentAt: number;
  readonly answeredAt: number;
  readonly mark: number;
}

/** T′: how long a touch the leader applied keeps the session, counted on our clock. */
function trustedFor(sessionTimeoutMs: number): number {
  return sessionTimeoutMs * (1 - 2 * CLOCK_RATE_ERROR) - DEADLINE_MARGIN_MS;
}

/**
 * The longest sync interval that keeps trust unbroken for session timeout T and tickTime:
 * an extension counts from a request answered up to a tickTime, a sampling step (tickTime/4)
 * and one interval before the sync that proves it, so three intervals fit in what remains of
 * T′. Undefined when T is too short for any.
 */
export function longestSyncInterval(
  sessionTimeoutMs: number,
  tickTimeMs: number,
): number | undefined {
  const room = trustedFor(sessionTimeoutMs) - tickTimeMs - tickTimeMs / 4;
  return room > 0 ? room / 3 : undefined;
}

export class LeaderTrust {
  #deadline: number | undefined;
  /**
   * Requests answered on the current connection, oldest first: at most one per quarter tickTime
   * (the first answered in it: an earlier send time only weakens a proof), the older pruned.
   */
  readonly #answered: Answered[] = [];
  readonly #trustedMs: number;
  readonly #sampleMs: number;

  constructor(
    private readonly sessionTimeoutMs: number,
    /** The servers' tickTime: a follower answers a leader ping within this long (assumption A). */
    private readonly tickTimeMs: number,
  ) {
    this.#trustedMs = trustedFor(sessionTimeoutMs);
    this.#sampleMs = tickTimeMs / 4;
  }

  /** Until when (our monotonic ms) the leader surely keeps the session; undefined: no proof. */
  get deadline(): number | undefined {
    return this.#deadline;
  }

  /** How often to sync, at most, so that with answers in time the deadline never passes. */
  get syncIntervalMs(): number | undefined {
    return longestSyncInterval(this.sessionTimeoutMs, this.tickTimeMs);
  }

  /**
   * A handshake that opened or resumed the session, sent at `sentAt`: the leader created the
   * session, or revalidated and touched it, after that (a closing session is not revalidated).
   * A new connection starts a new history: what a sync proves holds on its own connection only.
   */
  connected(sentAt: number): void {
    this.#answered.length = 0;
    this.#deadline = Math.max(this.#deadline ?? -Infinity, sentAt + this.#trustedMs);
  }

  /** Forgets everything: the session is gone, or a new one begins. */
  reset(): void {
    this.#answered.length = 0;
    this.#deadline = undefined;
  }

  /**
   * Any request (a ping too) answered on the current connection: its touch is a basis later.
   * `mark` is kept with it and handed back when it becomes the basis (the clock check's offset).
   */
  answered(sentAt: number, answeredAt: number, mark = 0): void {
    const last = this.#answered.at(-1);
    if (last === undefined || answeredAt - last.answeredAt >= this.#sampleMs) {
      this.#answered.push({ sentAt, answeredAt, mark });
    }
    // A basis older than T' could only prove a deadline already past: keep the history short
    // also when no sync is sent to prune it (T too short for a chain).
    const oldest = this.#answered[0];
    if (oldest !== undefined && oldest.sentAt < answeredAt - this.#trustedMs)
      this.#answered.shift();
  }

  /** A sync leaves now: the basis of its proof is the latest request answered a tickTime before. */
  syncSent(sentAt: number): SyncTicket {
    let basis: Answered | undefined;
    let keepFrom = 0;
    for (let i = 0; i < this.#answered.length; i++) {
      const entry = this.#answered[i];
      if (entry === undefined || entry.answeredAt > sentAt - this.tickTimeMs) break;
      basis = entry;
      keepFrom = i;
    }
    // Later syncs leave later: an entry older than the basis can never be one again.
    this.#answered.splice(0, keepFrom);
    return { sentAt, basis: basis?.sentAt, basisMark: basis?.mark ?? 0 };
  }

  /**
   * The sync of `ticket` was answered at `answeredAt`. It extends the deadline only while the
   * deadline has not passed: after it, the leader may have begun to close the session, and a
   * closing session ignores touches (while, answering a sync, the leader does not say so).
   * Returns the basis's mark when the deadline now counts from the basis.
   */
  syncAnswered(ticket: SyncTicket, answeredAt: number, mark = 0): number | undefined {
    this.answered(ticket.sentAt, answeredAt, mark);
    const deadline = this.#deadline;
    if (deadline === undefined || answeredAt >= deadline || ticket.basis === undefined) return;
    const proven = ticket.basis + this.#trustedMs;
    if (proven <= deadline) return undefined;
    this.#deadline = proven;
    return ticket.basisMark;
  }
}

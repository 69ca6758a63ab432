/**
 * Notices when the host was suspended. Every deadline of the client runs on `performance.now()`
 * (CLOCK_MONOTONIC), which stops while the host sleeps, whereas the servers' clocks — and so the
 * leader's count towards expiring our session — go on. The wall clock (`Date.now()`,
 * CLOCK_REALTIME) goes on too, so the wall clock gaining on the monotonic one means time passed
 * that our deadlines did not count. On Linux NTP slews both clocks alike, so only a suspend or a
 * step of the wall clock moves one against the other; elsewhere the monotonic clock may also
 * drift slowly against the wall clock, which moving the baseline (rebase) keeps from adding up.
 */

/**
 * A gain up to this much goes unnoticed (the two clocks are read a moment apart, in whole ms for
 * the wall clock). The baseline moves to each new basis of trust, which may hide that much once
 * more: every deadline takes off twice this, so an unnoticed suspend cannot make one late.
 */
export const CLOCK_JUMP_TOLERANCE_MS = 25;

export class ClockWatch {
  /** The smallest wall-minus-monotonic offset seen since `rebase()`: the baseline. */
  private baseline = clockOffset();

  /**
   * Counts from the moment the wall-minus-monotonic offset was `from`: when the handshake that
   * established trust left, or when the request a deadline now counts from was answered. Moving
   * it keeps a slow drift between the clocks (where the monotonic clock is not slewed with the
   * wall clock) from adding up to a false alarm over a long connection.
   */
  rebase(from: number): void {
    this.baseline = from;
  }

  /**
   * True when the wall clock gained more than the tolerance on the monotonic clock since the
   * baseline. A wall clock stepped back lowers the baseline, so that a later gain still counts
   * (a step forward reads as a suspend: a needless but safe reconnect).
   */
  jumped(now = clockOffset()): boolean {
    if (now < this.baseline) this.baseline = now;
    return now - this.baseline > CLOCK_JUMP_TOLERANCE_MS;
  }
}

/** The wall clock minus the monotonic one, now. */
export function clockOffset(): number {
  return Date.now() - performance.now();
}

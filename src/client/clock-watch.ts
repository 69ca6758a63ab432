/**
 * Notices when the host was suspended. Every deadline of the client runs on `performance.now()`
 * (CLOCK_MONOTONIC), which stops while the host sleeps, whereas the servers' clocks — and so the
 * leader's count towards expiring our session — go on. The wall clock (`Date.now()`,
 * CLOCK_REALTIME) goes on too, so the wall clock gaining on the monotonic one means time passed
 * that our deadlines did not count. Both clocks are slewed alike by NTP; only a suspend or a step
 * of the wall clock moves one against the other.
 */

/**
 * A gain up to this much goes unnoticed (the two clocks are read a moment apart, in whole ms for
 * the wall clock); every deadline takes it off, so an unnoticed suspend cannot make one late.
 */
export const CLOCK_JUMP_TOLERANCE_MS = 50;

export class ClockWatch {
  /** The smallest wall-minus-monotonic offset seen since `rebase()`: the baseline. */
  private baseline = offset();

  /**
   * Counts from the moment the wall-minus-monotonic offset was `from` (when trust was established
   * anew: a handshake left).
   */
  rebase(from: number): void {
    this.baseline = from;
  }

  /**
   * True when the wall clock gained more than the tolerance on the monotonic clock since the
   * baseline. A wall clock stepped back lowers the baseline, so that a later gain still counts
   * (a step forward reads as a suspend: a needless but safe reconnect).
   */
  jumped(): boolean {
    const now = offset();
    if (now < this.baseline) this.baseline = now;
    return now - this.baseline > CLOCK_JUMP_TOLERANCE_MS;
  }
}

function offset(): number {
  return Date.now() - performance.now();
}

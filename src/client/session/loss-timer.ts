/**
 * The client's own session clock. One session timeout after the last request the server answered,
 * the server may have expired the session, so from then on it must not be trusted: `onLost` fires
 * then, before the server can act on the expiry.
 */
export class LossTimer {
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    /** When the session may be gone (monotonic ms), or undefined when there is no session to watch. */
    private readonly deadline: () => number | undefined,
    private readonly onLost: () => void,
  ) {}

  /** (Re)starts the clock from the current deadline. */
  arm(): void {
    this.stopped = false;
    this.schedule(false);
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  private schedule(recheck: boolean): void {
    clearTimeout(this.timer);
    const deadline = this.deadline();
    if (this.stopped || deadline === undefined) return;
    const wait = deadline - performance.now();
    if (wait > 0) {
      this.timer = setTimeout(() => {
        this.schedule(false);
      }, Math.ceil(wait)).unref();
    } else if (!recheck) {
      // Timers run before I/O is polled: after an event-loop stall an answer may be waiting.
      // Look again once it has been read.
      setImmediate(() => {
        this.schedule(true);
      });
    } else {
      this.stopped = true;
      this.onLost();
    }
  }
}

import { constants } from 'node:os';

/** The signals that ask `zkcoord lock` to stop; the terminal's hangup included. */
const TRAPPED = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/**
 * Catches SIGINT, SIGTERM and SIGHUP for the whole run, so that none of them kills us while we
 * hold a lock and a child (Node's default would exit at once, leaving the lock to the session
 * timeout and the child unsupervised). Before a child runs, the first signal aborts `signal`;
 * while one runs, each signal is passed to it.
 */
export class SignalTrap implements Disposable {
  private readonly controller = new AbortController();
  private forward: ((signal: NodeJS.Signals) => void) | undefined;
  private readonly handler = (signal: NodeJS.Signals): void => {
    if (this.forward !== undefined) this.forward(signal);
    else if (!this.controller.signal.aborted) this.controller.abort(signal);
  };

  constructor() {
    for (const name of TRAPPED) process.on(name, this.handler);
  }

  /** Aborts on the first signal received while no child runs; its reason is the signal's name. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** The exit status for the signal that stopped us (128+N), if one did. */
  get status(): number | undefined {
    const reason: unknown = this.controller.signal.reason;
    return this.controller.signal.aborted && typeof reason === 'string'
      ? 128 + constants.signals[reason as NodeJS.Signals]
      : undefined;
  }

  /** From now on, hand every signal to `to` instead. */
  forwardTo(to: (signal: NodeJS.Signals) => void): void {
    this.forward = to;
  }

  [Symbol.dispose](): void {
    for (const name of TRAPPED) process.off(name, this.handler);
  }
}

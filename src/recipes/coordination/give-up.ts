import { InvalidArgumentError, SessionExpiredError } from '../../client/index.js';
import type { ZooKeeper } from '../../client/index.js';
import { abortable } from './abortable.js';
import { LockTimeoutError } from './errors.js';
import { waitEndFor } from './hold-policy.js';

/** How long an acquire may wait, and what may end the wait early. */
export interface AcquireOptions {
  /** Give up after this many ms (LockTimeoutError). Absent: wait as long as it takes. */
  readonly timeout?: number;
  /** Give up when this aborts (rejecting with its reason). */
  readonly signal?: AbortSignal;
}

/** Refuses a timeout that is not a non-negative number of ms, before anything is sent. */
export function validateTimeout(timeout: number | undefined): void {
  if (timeout !== undefined && (!Number.isFinite(timeout) || timeout < 0)) {
    throw new InvalidArgumentError(
      `timeout must be a non-negative number of ms, got ${String(timeout)}`,
    );
  }
}

/**
 * Everything that ends a wait: the caller's signal, the timeout, and the session ending (lost or
 * closed), which would leave our queue node behind.
 */
export class GiveUp {
  private readonly controller = new AbortController();
  private readonly timer: NodeJS.Timeout | undefined;
  private readonly stopObserving: () => void;
  private readonly onAbort: () => void;
  /**
   * The session the wait runs in: the current one, or, when there is none that could own a node
   * (lost and a new one on its way, or a read-only server's own), the next one to connect. Any
   * other session ends the wait: our node went with ours.
   */
  private session: bigint | undefined;

  constructor(
    zk: ZooKeeper,
    private readonly path: string,
    private readonly options: AcquireOptions,
  ) {
    const timeout = options.timeout;
    if (timeout !== undefined) {
      this.timer = setTimeout(() => {
        this.controller.abort(new LockTimeoutError(path, timeout));
      }, timeout);
    }
    this.onAbort = () => {
      this.controller.abort(options.signal?.reason);
    };
    options.signal?.addEventListener('abort', this.onAbort);
    if (options.signal?.aborted === true) this.onAbort();
    this.session = zk.sessionDeadline === undefined ? undefined : zk.sessionId;
    this.stopObserving = zk.observeState((state) => {
      // Also told as close() begins, with no state change: see waitEndFor.
      const end = waitEndFor(zk, state, path);
      if (end !== undefined) this.controller.abort(end);
      if (state === 'connected') this.inSession(zk.sessionId);
    });
  }

  /** Our node was made by `owner`: the wait is that session's from now on. */
  ownedBy(owner: bigint): void {
    this.inSession(owner);
  }

  private inSession(sessionId: bigint): void {
    this.session ??= sessionId;
    if (sessionId !== this.session) this.controller.abort(new SessionExpiredError(this.path));
  }

  /** Aborts, with the reason, when we give up: to hand the same end to a nested wait. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** Why we gave up, if we did. */
  reason(): unknown {
    return this.controller.signal.aborted ? this.controller.signal.reason : undefined;
  }

  check(): void {
    if (this.controller.signal.aborted) throw this.controller.signal.reason;
  }

  /** The promise's value, or a rejection as soon as we give up. */
  race<T>(promise: Promise<T>): Promise<T> {
    return abortable(promise, this.controller.signal);
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.options.signal?.removeEventListener('abort', this.onAbort);
    this.stopObserving();
  }
}

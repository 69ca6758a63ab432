import { pause } from '../pause.js';

/** Waits for `promise` to resolve, or `ms` to pass, whichever comes first; leaves no timer behind. */
export async function settleWithin(promise: Promise<void>, ms: number): Promise<void> {
  const stop = new AbortController();
  const timeout = pause(Math.max(0, ms), stop.signal).catch(() => undefined);
  await Promise.race([promise, timeout]);
  stop.abort();
}

/** Waiters for one kind of event: `settle()` releases all that wait now, `within()` waits for the next. */
export class Settlement {
  private readonly waiters = new Set<() => void>();

  settle(): void {
    for (const waiter of this.waiters) waiter();
    this.waiters.clear();
  }

  /** Until the next settle(), or `ms` at most. */
  within(ms: number): Promise<void> {
    return settleWithin(new Promise<void>((resolve) => this.waiters.add(resolve)), ms);
  }
}

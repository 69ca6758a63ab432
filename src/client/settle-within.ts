import { setTimeout as sleep } from 'node:timers/promises';

/** Waits for `promise` to resolve, or `ms` to pass, whichever comes first; leaves no timer behind. */
export async function settleWithin(promise: Promise<void>, ms: number): Promise<void> {
  const stop = new AbortController();
  const timeout = sleep(Math.max(0, ms), undefined, { signal: stop.signal }).catch(() => undefined);
  await Promise.race([promise, timeout]);
  stop.abort();
}

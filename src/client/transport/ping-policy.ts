/** The Java client never lets more than this pass without a ping (`MAX_SEND_PING_INTERVAL`). */
const MAX_SEND_PING_INTERVAL_MS = 10_000;

/** The Java client's rule: ping when readTimeout/2 − idle − (idle > 1 s ? 1 s : 0) ≤ 0, or idle > 10 s. */
export function pingDue(readTimeoutMs: number, idleSendMs: number): boolean {
  const slack = idleSendMs > 1000 ? 1000 : 0;
  return readTimeoutMs / 2 - idleSendMs - slack <= 0 || idleSendMs > MAX_SEND_PING_INTERVAL_MS;
}

/** The idle time after which pingDue first holds. */
export function pingThreshold(readTimeoutMs: number): number {
  const half = readTimeoutMs / 2;
  const threshold = half > 2000 ? half - 1000 : half > 1000 ? 1001 : half;
  return Math.min(threshold, MAX_SEND_PING_INTERVAL_MS + 1);
}

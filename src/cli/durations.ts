import { UsageError } from './args.js';

/** setTimeout's limit: a longer delay fires at once, which would turn "wait a month" into "no wait". */
const MAX_MS = 2 ** 31 - 1;

const UNIT_MS = { ms: 1, s: 1000, m: 60_000 } as const;

/**
 * A duration flag in ms: `250ms`, `1.5s`, `2m`, or a bare number of milliseconds. Anything else,
 * and values beyond what a timer can wait, are usage errors naming the flag.
 */
export function parseDuration(flag: string, text: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(text.trim());
  const amount = match?.[1];
  if (match === null || amount === undefined) {
    throw new UsageError(
      `${flag} takes a duration such as 500ms, 30s or 2m (a bare number is ms), got ${JSON.stringify(text)}`,
    );
  }
  const unit = (match[2] ?? 'ms') as keyof typeof UNIT_MS;
  const ms = Math.round(Number(amount) * UNIT_MS[unit]);
  if (ms > MAX_MS) throw new UsageError(`${flag} is too long: ${text} (at most 24 days)`);
  return ms;
}

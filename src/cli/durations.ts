import { UsageError } from './args.js';

/** setTimeout's limit: a longer delay fires at once, which would turn "wait a month" into "no wait". */
const MAX_MS = 2 ** 31 - 1;

const UNIT_MS = { ms: 1, s: 1000, m: 60_000 } as const;
/** Units for durations the server keeps rather than a timer of ours (node TTLs). */
const LONG_UNIT_MS = { ...UNIT_MS, h: 3_600_000, d: 86_400_000 } as const;

/**
 * A duration flag in ms: `250ms`, `1.5s`, `2m`, or a bare number of milliseconds. Anything else,
 * and values beyond what a timer can wait, are usage errors naming the flag.
 */
export function parseDuration(flag: string, text: string): number {
  const ms = parse(flag, text, UNIT_MS, '500ms, 30s or 2m');
  if (ms > MAX_MS) throw new UsageError(`${flag} is too long: ${text} (at most 24 days)`);
  return ms;
}

/** As parseDuration, also in hours (`12h`) and days (`30d`), up to `maxMs`. */
export function parseLongDuration(flag: string, text: string, maxMs: number): number {
  const ms = parse(flag, text, LONG_UNIT_MS, '30s, 2m, 12h or 30d');
  if (ms > maxMs) throw new UsageError(`${flag} is too long: ${text}`);
  return ms;
}

function parse(
  flag: string,
  text: string,
  units: Readonly<Record<string, number>>,
  examples: string,
): number {
  const match = /^(\d+(?:\.\d+)?)([a-z]+)?$/.exec(text.trim());
  const amount = match?.[1];
  const unit = match?.[2] ?? 'ms';
  const unitMs = Object.hasOwn(units, unit) ? units[unit] : undefined;
  if (match === null || amount === undefined || unitMs === undefined) {
    throw new UsageError(
      `${flag} takes a duration such as ${examples} (a bare number is ms), got ${JSON.stringify(text)}`,
    );
  }
  return Math.round(Number(amount) * unitMs);
}

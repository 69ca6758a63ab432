import type { HostAddress } from '../connect-string.js';

/** Random pause before every attempt but the first, as the Java client does (0–1000 ms). */
const MAX_ATTEMPT_JITTER_MS = 1000;
/** Extra pause once every host has been tried, so a dead ensemble is not hammered. */
const FULL_CYCLE_PAUSE_MS = 1000;

/**
 * The connect string's hosts, shuffled once, handed out in turn with the pause to take before
 * connecting to each.
 */
export class HostCycle {
  private readonly hosts: readonly HostAddress[];
  private index = 0;
  /** A host to hand out next, out of turn: a read/write server found while read-only. */
  private preferred: HostAddress | undefined;

  constructor(hosts: readonly HostAddress[]) {
    this.hosts = shuffle(hosts);
  }

  /**
   * The next host and the pause to take first: none when `immediate` (the very first connect of
   * the session, or leaving a server that no longer reaches the leader), 0–1 s of jitter before
   * any other, and 1 s more each time the loop has tried every host in vain (`failedInLoop`
   * counts the attempts that failed in the current loop).
   */
  next(immediate: boolean, failedInLoop: number): { host: HostAddress; delayMs: number } {
    let host = this.preferred;
    this.preferred = undefined;
    if (host === undefined) {
      host = this.hosts[this.index % this.hosts.length];
      if (host === undefined) throw new Error('HostCycle needs at least one host');
      this.index++;
    }
    if (immediate) return { host, delayMs: 0 };
    const roundFailed = failedInLoop > 0 && failedInLoop % this.hosts.length === 0;
    const delayMs = Math.random() * MAX_ATTEMPT_JITTER_MS + (roundFailed ? FULL_CYCLE_PAUSE_MS : 0);
    return { host, delayMs };
  }

  /** Makes `host` the next one handed out, once; the rotation then carries on where it was. */
  preferNext(host: HostAddress): void {
    this.preferred = host;
  }
}

function shuffle<T>(items: readonly T[]): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    const a = copy[i] as T;
    copy[i] = copy[j] as T;
    copy[j] = a;
  }
  return copy;
}

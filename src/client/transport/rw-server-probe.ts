import type { HostAddress } from '../connect-string.js';
import { openSocket } from './socket.js';
import type { ZooKeeperTlsOptions } from '../types.js';

/** The Java client's schedule: the first probe 100 ms in, each pause twice the last, at most 60 s. */
export const PROBE_MIN_INTERVAL_MS = 100;
export const PROBE_MAX_INTERVAL_MS = 60_000;
/** Bound on one `isro` exchange, as the Java client's 1000 ms socket timeout. */
const ISRO_TIMEOUT_MS = 1000;

/**
 * The pauses between read/write-server probes. It lives as long as the client, so a client that
 * keeps landing on read-only servers does not go back to probing every 100 ms; only finding a
 * read/write server starts the schedule over.
 */
export class ProbeBackoff {
  private intervalMs = PROBE_MIN_INTERVAL_MS;

  /** The pause before the next probe; the one after it will be twice as long (capped). */
  next(): number {
    const pause = this.intervalMs;
    this.intervalMs = Math.min(this.intervalMs * 2, PROBE_MAX_INTERVAL_MS);
    return pause;
  }

  reset(): void {
    this.intervalMs = PROBE_MIN_INTERVAL_MS;
  }
}

/**
 * Asks a server with `isro` whether it serves writes: `'rw'` or `'ro'`, or undefined when it is
 * down, not serving (it answers `null`), or silent for `timeoutMs`. Over TLS when the session
 * uses TLS: the probe must reach the server the way the session does.
 */
export function askReadOnly(
  host: HostAddress,
  tlsOptions?: ZooKeeperTlsOptions,
  timeoutMs = ISRO_TIMEOUT_MS,
): Promise<'rw' | 'ro' | undefined> {
  return new Promise((resolve) => {
    const socket = openSocket(host.host, host.port, tlsOptions);
    const chunks: Buffer[] = [];
    const finish = (answer: 'rw' | 'ro' | undefined): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(answer);
    };
    const timer = setTimeout(() => {
      finish(undefined);
    }, timeoutMs);
    // A probe in flight when the client closes must not keep the process alive.
    timer.unref();
    socket.unref();
    socket.on('connect', () => socket.write('isro', 'ascii'));
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', () => {
      finish(undefined);
    });
    // The server answers and closes: the whole answer is in once the socket ends.
    socket.on('close', () => {
      const answer = Buffer.concat(chunks).toString('ascii').trim();
      finish(answer === 'rw' || answer === 'ro' ? answer : undefined);
    });
  });
}

/** Asks a server what it is (`isro`): a read/write one, a read-only one, or no answer. */
export type ReadOnlyProbe = (host: HostAddress) => Promise<'rw' | 'ro' | undefined>;

/** The connection the probe runs beside: the probe stops once it is closed. */
export interface ProbedConnection {
  readonly server: HostAddress;
  readonly isOpen: boolean;
}

/**
 * While the session sits on a read-only server, looks for a read/write one: every so often (see
 * {@link ProbeBackoff}) asks the next of the other hosts with `isro`, over a separate connection.
 * `onFound` gets the first host that answers `rw`; moving there is the caller's business.
 */
export class RwServerProbe {
  private readonly backoff = new ProbeBackoff();
  private next = 0;

  constructor(
    private readonly hosts: readonly HostAddress[],
    private readonly signal: AbortSignal,
    private readonly ask: ReadOnlyProbe,
  ) {}

  /** Probes until a read/write server is found, `connection` closes, or the signal aborts. */
  async watch(connection: ProbedConnection, onFound: (host: HostAddress) => void): Promise<void> {
    const others = this.hosts.filter((h) => !sameHost(h, connection.server));
    if (others.length === 0) return;
    const stillNeeded = (): boolean => connection.isOpen && !this.signal.aborted;
    while (stillNeeded()) {
      await restUnlessAborted(this.backoff.next(), this.signal);
      if (!stillNeeded()) return;
      const host = others[this.next++ % others.length] as HostAddress;
      if ((await this.ask(host)) === 'rw' && stillNeeded()) {
        this.backoff.reset();
        onFound(host);
        return;
      }
    }
  }
}

function sameHost(a: HostAddress, b: HostAddress): boolean {
  return a.host === b.host && a.port === b.port;
}

/** Resolves after `ms`, or at once when the signal aborts; never rejects. */
function restUnlessAborted(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    timer.unref();
    signal.addEventListener('abort', done);
  });
}

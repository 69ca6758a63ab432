import { setTimeout as sleep } from 'node:timers/promises';
import { fourLetterWord } from './four-letter-word.js';
import type { JvmExit, JvmProcess } from './jvm-process.js';

export interface ReadinessOptions {
  host: string;
  port: number;
  /** The server's JVM; its exit ends the wait at once. */
  process: JvmProcess;
  /** `Mode:` values of `srvr` that count as serving (`standalone`; `leader`/`follower` ...). */
  modes: readonly string[];
  timeoutMs: number;
  /**
   * When set, `conf` must report this data directory. A port picked as free can be taken by
   * another server before ours binds it; without this check that server's answer would pass for
   * ours until our JVM fails to bind.
   */
  dataDir?: string;
}

export type Readiness =
  | { readonly state: 'ready'; readonly mode: string }
  | { readonly state: 'exited'; readonly exit: JvmExit }
  | { readonly state: 'timeout'; readonly lastAnswer: string | undefined };

/**
 * A probe sent before the database is loaded can be accepted and never answered (3.8.0 throws on
 * it), so each probe has a short bound and is simply repeated.
 */
const PROBE_TIMEOUT_MS = 300;
const POLL_INTERVAL_MS = 50;

/** Polls `srvr` until the server reports one of `modes`, its JVM exits, or time runs out. */
export async function waitUntilServing(options: ReadinessOptions): Promise<Readiness> {
  const deadline = Date.now() + options.timeoutMs;
  let lastAnswer: string | undefined;
  for (;;) {
    if (!options.process.isRunning()) return exitedResult(options.process);
    const mode = await probeMode(options.host, options.port);
    if (mode !== undefined) {
      lastAnswer = `Mode: ${mode}`;
      if (options.modes.includes(mode) && (await servesDataDir(options))) {
        // Our JVM may have lost the bind race and be exiting while another server answered.
        if (options.process.isRunning()) return { state: 'ready', mode };
      }
    }
    if (Date.now() >= deadline) return { state: 'timeout', lastAnswer };
    await Promise.race([sleep(POLL_INTERVAL_MS), options.process.exited]);
  }
}

async function probeMode(
  host: string,
  port: number,
  timeoutMs = PROBE_TIMEOUT_MS,
): Promise<string | undefined> {
  try {
    const answer = await fourLetterWord(host, port, 'srvr', { timeoutMs });
    return /^Mode: (\S+)/m.exec(answer)?.[1];
  } catch {
    // Refused while the JVM starts, or timed out: both mean "not yet".
    return undefined;
  }
}

/** What `srvr` says a server is doing; `'not serving'` also covers no answer at all. */
export type ServerMode =
  'leader' | 'follower' | 'observer' | 'standalone' | 'read-only' | 'not serving';

const KNOWN_MODES: readonly string[] = [
  'leader',
  'follower',
  'observer',
  'standalone',
  'read-only',
];

/**
 * One bounded `srvr` probe. A server in an election answers "not currently serving requests", a
 * dead one refuses, a paused one stays silent: to a caller choosing a server these are the same.
 */
export async function serverMode(
  host: string,
  port: number,
  timeoutMs = PROBE_TIMEOUT_MS,
): Promise<ServerMode> {
  const mode = await probeMode(host, port, timeoutMs);
  return mode !== undefined && KNOWN_MODES.includes(mode) ? (mode as ServerMode) : 'not serving';
}

async function servesDataDir(options: ReadinessOptions): Promise<boolean> {
  if (options.dataDir === undefined) return true;
  let answer: string;
  try {
    answer = await fourLetterWord(options.host, options.port, 'conf', {
      timeoutMs: PROBE_TIMEOUT_MS,
    });
  } catch {
    return false;
  }
  const reported = /^dataDir=(.*)$/m.exec(answer)?.[1];
  // No dataDir line: `conf` is not whitelisted by the caller's settings; the check cannot be made.
  if (reported === undefined) return true;
  return reported === options.dataDir || reported.startsWith(`${options.dataDir}/`);
}

async function exitedResult(process: JvmProcess): Promise<Readiness> {
  return { state: 'exited', exit: await process.exited };
}

import type { EnsembleMember, ServerMode, ZooKeeperEnsemble } from '../../src/testing/index.js';
import { until } from './poll.js';
import type { PollOptions } from './poll.js';

export interface ModeOptions extends PollOptions {
  /** How long each `srvr` probe may take: a paused or cut-off member may not answer at all. */
  readonly probeTimeoutMs?: number;
}

/**
 * Until `member` reports `mode`; resolves with the ms it took. Polls every 50 ms by default: each
 * probe is a connection to a member whose timing the test may be measuring. On failure it names
 * the mode last seen, which tells an election still running from a member that is down.
 */
export async function untilMode(
  member: EnsembleMember,
  mode: ServerMode,
  options: ModeOptions = {},
): Promise<number> {
  const { probeTimeoutMs = 300, ...poll } = options;
  const start = performance.now();
  let seen: ServerMode | undefined;
  await until(
    () => `member ${member.id} to be ${mode} (last seen: ${seen ?? 'no answer yet'})`,
    async () => (seen = await member.mode({ timeoutMs: probeTimeoutMs })) === mode,
    { intervalMs: 50, ...poll },
  );
  return performance.now() - start;
}

/**
 * Restarts every member a test stopped or killed, all at once (a lone member cannot form a
 * quorum to rejoin), and waits for the quorum: the next test starts on a whole ensemble.
 */
export async function bringBackStopped(ensemble: ZooKeeperEnsemble): Promise<void> {
  await Promise.all(ensemble.members.filter((m) => !m.isRunning()).map((m) => m.restart()));
  await ensemble.waitForQuorum();
}

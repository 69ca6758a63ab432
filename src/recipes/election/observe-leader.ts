import { NoNodeError } from '../../client/index.js';
import type { Stat, WatchEvent, ZooKeeper } from '../../client/index.js';
import { abortable } from '../coordination/abortable.js';
import { throughTrouble } from '../coordination/connection-trouble.js';
import { queueOrder } from '../coordination/node-names.js';

/** The leader's node as a listing shows it, or none; and what fires when that may change. */
export interface LeaderSeen {
  readonly leader:
    { readonly path: string; readonly data: Buffer; readonly stat: Stat } | undefined;
  readonly changed: Promise<WatchEvent>;
}

/**
 * The leader of the election at `path` now, with a watch that fires when that may have changed:
 * the leader's node (its deletion hands over), or, with no candidate, the children (someone
 * joins), or, with no election node, its creation. Two requests per leader change — a listing and
 * the new leader's read — whatever the number of candidates; joins and leaves behind the leader
 * wake nobody. The client re-registers the watch after a reconnect (SetWatches, from the last
 * zxid seen), so a change while disconnected fires it too. `stop` ends the watch's wait.
 */
export async function leaderNow(
  zk: ZooKeeper,
  path: string,
  markers: readonly string[],
  stop: AbortSignal,
): Promise<LeaderSeen> {
  const options = { watch: true as const, signal: stop };
  for (;;) {
    let children: string[];
    try {
      ({ children } = await throughTrouble(() => zk.getChildren(path)));
    } catch (error) {
      if (!(error instanceof NoNodeError)) throw error;
      const { stat, watch } = await throughTrouble(() => zk.exists(path, options));
      if (stat === null) return { leader: undefined, changed: watch };
      continue;
    }
    const head = queueOrder(children, markers)[0];
    if (head === undefined) {
      // Only now a child watch: with a leader, the leader's node alone is watched.
      const listed = await throughTrouble(() => zk.getChildren(path, options));
      if (queueOrder(listed.children, markers).length > 0) continue;
      return { leader: undefined, changed: listed.watch };
    }
    const leaderPath = `${path}/${head.name}`;
    try {
      const { data, stat, watch } = await throughTrouble(() => zk.getData(leaderPath, options));
      return { leader: { path: leaderPath, data, stat }, changed: watch };
    } catch (error) {
      // Gone between the listing and the read: list again.
      if (!(error instanceof NoNodeError)) throw error;
    }
  }
}

/**
 * Yields the leader now, then each distinct leader as it changes (undefined while there is none),
 * until `signal` aborts; then it returns. A leader whose node is re-read (a data change, a
 * reconnect) is not yielded again.
 */
export async function* followLeader<T>(
  zk: ZooKeeper,
  path: string,
  markers: readonly string[],
  describe: (seen: NonNullable<LeaderSeen['leader']>) => T,
  signal: AbortSignal | undefined,
): AsyncGenerator<T | undefined, void, undefined> {
  let yielded = false;
  let lastPath: string | undefined;
  // A call, not a property read: TypeScript would keep what it saw before an await.
  const aborted = (): boolean => signal?.aborted === true;
  while (!aborted()) {
    // One watch at a time: the previous step's is ended before the next is set.
    const step = new AbortController();
    const onAbort = (): void => {
      step.abort();
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      const seen = await abortable(leaderNow(zk, path, markers, step.signal), signal);
      if (!yielded || seen.leader?.path !== lastPath) {
        yielded = true;
        lastPath = seen.leader?.path;
        yield seen.leader === undefined ? undefined : describe(seen.leader);
      }
      const event = await abortable(seen.changed, signal);
      // The session ended under the watch: wait for the next one rather than spin.
      if (event.type === 'watchLost' && event.reason === 'sessionExpired') {
        await abortable(waitForSession(zk), signal);
      }
    } catch (error) {
      if (aborted()) return;
      throw error;
    } finally {
      signal?.removeEventListener('abort', onAbort);
      step.abort();
    }
  }
}

/** Resolves when the client is connected again (a new session after a loss). */
function waitForSession(zk: ZooKeeper): Promise<void> {
  if (zk.state === 'connected' || zk.state === 'reconnected') return Promise.resolve();
  return new Promise((resolve) => {
    const stop = zk.observeState((state) => {
      if (state === 'connected' || state === 'reconnected' || state === 'closed') {
        stop();
        resolve();
      }
    });
  });
}

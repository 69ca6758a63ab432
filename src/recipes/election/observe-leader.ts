import { NoAuthError, NoNodeError, SessionExpiredError } from '../../client/index.js';
import type { Stat, WatchEvent, ZooKeeper } from '../../client/index.js';
import { abortable } from '../coordination/abortable.js';
import { throughTrouble } from '../coordination/connection-trouble.js';
import { GiveUp } from '../coordination/give-up.js';
import { untilConnected } from '../coordination/session-waits.js';
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
  // Stops retrying with `stop`, and ends with the session (SessionExpiredError) or the client.
  const give = new GiveUp(zk, path, { signal: stop });
  try {
    for (;;) {
      let children: string[];
      try {
        ({ children } = await throughTrouble(() => zk.getChildren(path), { give }));
      } catch (error) {
        if (!(error instanceof NoNodeError)) throw error;
        const { stat, watch } = await throughTrouble(() => zk.exists(path, options), { give });
        if (stat === null) return { leader: undefined, changed: watch };
        continue;
      }
      const head = queueOrder(children, markers)[0];
      if (head === undefined) {
        // Only now a child watch: with a leader, the leader's node alone is watched.
        const listed = await readOrNoNode(() => zk.getChildren(path, options), give);
        if (listed === undefined || queueOrder(listed.children, markers).length > 0) continue;
        return { leader: undefined, changed: listed.watch };
      }
      const seen = await readLeader(zk, `${path}/${head.name}`, options, give);
      // Gone between the listing and the read: list again.
      if (seen !== undefined) return seen;
    }
  } finally {
    give.dispose();
  }
}

/** The leader's node and a watch on it; undefined when it is gone. */
async function readLeader(
  zk: ZooKeeper,
  leaderPath: string,
  options: { readonly watch: true; readonly signal: AbortSignal },
  give: GiveUp,
): Promise<LeaderSeen | undefined> {
  try {
    const read = await readOrNoNode(() => zk.getData(leaderPath, options), give);
    if (read === undefined) return undefined;
    return { leader: { path: leaderPath, data: read.data, stat: read.stat }, changed: read.watch };
  } catch (error) {
    if (!(error instanceof NoAuthError)) throw error;
  }
  // A candidate whose node we may not read (its own ACL): its existence and Stat still tell.
  const { stat, watch } = await throughTrouble(() => zk.exists(leaderPath, options), { give });
  if (stat === null) return undefined;
  return { leader: { path: leaderPath, data: Buffer.alloc(0), stat }, changed: watch };
}

/** The read's answer, or undefined when the node is gone. */
async function readOrNoNode<T>(read: () => Promise<T>, give: GiveUp): Promise<T | undefined> {
  try {
    return await throughTrouble(read, { give });
  } catch (error) {
    if (error instanceof NoNodeError) return undefined;
    throw error;
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
      let seen: LeaderSeen;
      try {
        seen = await abortable(leaderNow(zk, path, markers, step.signal), signal);
      } catch (error) {
        // The session ended while we read: follow the leader again in the next one.
        if (!(error instanceof SessionExpiredError) || aborted()) throw error;
        await untilConnected(zk, signal);
        continue;
      }
      if (!yielded || seen.leader?.path !== lastPath) {
        yielded = true;
        lastPath = seen.leader?.path;
        yield seen.leader === undefined ? undefined : describe(seen.leader);
      }
      const event = await abortable(seen.changed, signal);
      // The session ended under the watch: wait for the next one rather than spin.
      if (event.type === 'watchLost' && event.reason === 'sessionExpired') {
        await untilConnected(zk, signal);
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

import { setTimeout as sleep } from 'node:timers/promises';
import { NoNodeError, ZooKeeper } from '../../src/index.js';
import { connectString } from './helpers.js';

/** Sessions for one test file: `open()` connects one, `closeAll()` (in afterEach) ends them all. */
export function sessions(): { open: () => Promise<ZooKeeper>; closeAll: () => Promise<void> } {
  const open: ZooKeeper[] = [];
  return {
    open: async () => {
      const zk = await ZooKeeper.connect(connectString(), { sessionTimeout: 10_000 });
      open.push(zk);
      return zk;
    },
    closeAll: async () => {
      await Promise.all(open.splice(0).map((zk) => zk.close()));
    },
  };
}

/** Polls until `condition` holds, failing after `timeoutMs`: for effects that land in the background. */
export async function waitFor(
  condition: () => boolean | Promise<boolean>,
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!(await condition())) {
    if (performance.now() > deadline) throw new Error('condition not met in time');
    await sleep(10);
  }
}

/** The children of `path`, or none when it does not exist (an empty container may be reaped). */
export async function childrenOf(zk: ZooKeeper, path: string): Promise<string[]> {
  try {
    return (await zk.getChildren(path)).children;
  } catch (error) {
    if (error instanceof NoNodeError) return [];
    throw error;
  }
}

/** Hold intervals on the monotonic clock that must not overlap: throws naming the first pair that does. */
export function assertDisjoint(intervals: readonly (readonly [number, number])[]): void {
  const sorted = [...intervals].sort((a, b) => a[0] - b[0]);
  for (let i = 1; i < sorted.length; i++) {
    const [previous, next] = [sorted[i - 1]!, sorted[i]!];
    if (next[0] < previous[1]) {
      throw new Error(`holds overlap: [${previous.join(', ')}] and [${next.join(', ')}]`);
    }
  }
}

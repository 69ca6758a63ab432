import { NoNodeError, ZooKeeper } from '../../src/index.js';
import type { ZooKeeperOptions } from '../../src/index.js';
import { until } from '../support/poll.js';
import { connectString } from './helpers.js';

/**
 * Sessions for one test file: `open()` connects one (to the shared server unless told where, with
 * a 10 s session timeout unless told otherwise), `closeAll()` (in afterEach) ends them all.
 */
export function sessions(): {
  open: (connect?: string, options?: ZooKeeperOptions) => Promise<ZooKeeper>;
  closeAll: () => Promise<void>;
} {
  const open: ZooKeeper[] = [];
  return {
    open: async (connect = connectString(), options = {}) => {
      const zk = await ZooKeeper.connect(connect, { sessionTimeout: 10_000, ...options });
      open.push(zk);
      return zk;
    },
    closeAll: async () => {
      await Promise.all(open.splice(0).map((zk) => zk.close()));
    },
  };
}

/** How long the recipe tests wait for an effect that lands in the background (`until`'s options). */
export const IN_BACKGROUND = { timeoutMs: 10_000 } as const;

/** Until only `leases` lease nodes are left and nobody holds the internal mutex, after background deletes. */
export async function untilOnlyHolders(zk: ZooKeeper, path: string, leases: number): Promise<void> {
  await until(
    `no internal mutex node left under ${path}`,
    async () => (await childrenOf(zk, `${path}/locks`)).length === 0,
    IN_BACKGROUND,
  );
  await until(
    `only ${leases} lease nodes left under ${path}`,
    async () => (await childrenOf(zk, `${path}/leases`)).length === leases,
    IN_BACKGROUND,
  );
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

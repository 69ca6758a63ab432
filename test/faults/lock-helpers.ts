import { expect } from 'vitest';
import { NoNodeError } from '../../src/index.js';
import type { ZooKeeper } from '../../src/index.js';
import type { LockLease } from '../../src/recipes/index.js';
import type { ZooKeeperServer } from '../../src/testing/index.js';
import { until } from '../support/poll.js';

// Shared by the lock fault tests. Reads go through an observer that talks to the server
// directly, so they show what the server holds whatever the lock's own client believes.

/** The children of `path`, sorted; none when it does not exist (an empty container is reaped). */
export async function childrenOf(zk: ZooKeeper, path: string): Promise<string[]> {
  try {
    return (await zk.getChildren(path)).children.sort();
  } catch (error) {
    if (error instanceof NoNodeError) return [];
    throw error;
  }
}

/** The lease's node name under the lock path. */
export function nameOf(lease: LockLease): string {
  return lease.path.slice(lease.path.lastIndexOf('/') + 1);
}

/** The sequence number that ends a queue node's name. */
export function sequenceOf(name: string): number {
  return Number(name.slice(-10));
}

/** For each watched path, the sessions watching it (four-letter word `wchp`). */
async function watchersByPath(server: ZooKeeperServer): Promise<Map<string, Set<bigint>>> {
  const answer = await server.fourLetterWord('wchp', { timeoutMs: 2000 });
  const watchers = new Map<string, Set<bigint>>();
  let current: Set<bigint> | undefined;
  for (const line of answer.split('\n').map((l) => l.trim())) {
    if (line.startsWith('/')) watchers.set(line, (current = new Set()));
    else if (line.startsWith('0x')) current?.add(BigInt(line));
  }
  return watchers;
}

/**
 * Until every node of the queue at `lockPath` (absolute) but the last is watched by the sessions
 * waiting behind it: its successor, which waits for it, and the one after, which watches it to
 * list again while the successor holds. A waiter reports its place before it sets those watches,
 * so this, not onPosition, says the queue is settled. Expects `size` nodes, none coming or going
 * meanwhile.
 */
export async function everyoneWaits(
  server: ZooKeeperServer,
  observer: ZooKeeper,
  lockPath: string,
  size: number,
): Promise<void> {
  const names = await childrenOf(observer, lockPath);
  expect(names).toHaveLength(size);
  const nodes = await Promise.all(
    names
      .sort((x, y) => sequenceOf(x) - sequenceOf(y))
      .map(async (name) => {
        const path = `${lockPath}/${name}`;
        return { path, owner: (await observer.exists(path))?.ephemeralOwner };
      }),
  );
  await until('every waiter to watch the nodes ahead of it', async () => {
    const watchers = await watchersByPath(server);
    return nodes.slice(0, -1).every(({ path, owner }, index) => {
      const others = [...(watchers.get(path) ?? [])].filter((s) => s !== owner);
      return others.length >= Math.min(2, size - 1 - index);
    });
  });
}

/** A measured figure, printed for the record (never asserted). */
export function figure(text: string): void {
  console.info(`[lock figures] ${text}`);
}

import { NoNodeError, NodeExistsError } from '../../client/index.js';
import type { ZooKeeper } from '../../client/index.js';
import { throughTrouble } from './connection-trouble.js';

/** Enough for any real race with the container reaper; a path that keeps vanishing is a bug. */
const MAX_ROUNDS = 20;

/**
 * Creates `path` and its missing ancestors as containers, so the server removes them once empty
 * and lock paths do not pile up. Ancestors that exist (of any kind) are left as they are. An
 * ancestor reaped between our steps (an empty container goes within the reaper's interval) makes
 * us start again from the top, and connection trouble makes us repeat the step.
 */
export async function ensureContainers(zk: ZooKeeper, path: string): Promise<void> {
  await throughTrouble(() => createLevels(zk, path), {
    again: (error) => error instanceof NoNodeError,
    tries: MAX_ROUNDS,
  });
}

async function createLevels(zk: ZooKeeper, path: string): Promise<void> {
  const parts = path.split('/').filter((part) => part !== '');
  let current = '';
  for (const part of parts) {
    current += `/${part}`;
    // exists first: most calls find the path there, and a create of an existing node costs a write.
    if ((await zk.exists(current)) !== null) continue;
    try {
      await zk.create(current, undefined, { mode: 'container' });
    } catch (error) {
      if (!(error instanceof NodeExistsError)) throw error;
    }
  }
}

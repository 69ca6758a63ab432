import { NodeExistsError } from '../../client/index.js';
import type { ZooKeeper } from '../../client/index.js';

/**
 * Creates `path` and its missing ancestors as containers, so the server removes them once empty
 * and lock paths do not pile up. Ancestors that exist (of any kind) are left as they are.
 */
export async function ensureContainers(zk: ZooKeeper, path: string): Promise<void> {
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

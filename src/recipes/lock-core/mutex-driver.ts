import type { LockDriver } from './lock-driver.js';
import type { Participant } from '../coordination/node-names.js';

/** Curator's InterProcessMutex node name; kazoo's `Lock` uses `__lock__`. */
const NODE_NAME = 'lock-';
const KAZOO_NODE_NAME = '__lock__';

/** One holder at a time: wait for the node just ahead, whatever made it. */
export const mutexDriver: LockDriver = {
  nodeName: NODE_NAME,
  markers: [NODE_NAME, KAZOO_NODE_NAME],
  blocker: (queue: readonly Participant[], ourIndex: number) =>
    ourIndex === 0 ? undefined : queue[ourIndex - 1]?.name,
};

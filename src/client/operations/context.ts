import type { Chroot } from '../chroot.js';
import type { Session } from '../session/session.js';

/**
 * What an operation needs from its client: the session to submit on, the chroot to strip from
 * answers, and `serverPath`, which validates a caller's path and applies the chroot, so that every
 * operation refuses the same paths before anything is sent.
 */
export interface OpContext {
  readonly session: Session;
  readonly chroot: Chroot;
  serverPath(path: string, sequential?: boolean): string;
  /** See `ZooKeeperOptions.persistentWatchRemoval`. */
  readonly persistentWatchRemoval: 'any' | 'exact';
}

import { OpCode } from './opcodes.js';

/** `CreateMode` flags, the `flags` of CreateRequest / CreateTTLRequest. */
export const CreateFlags = {
  PERSISTENT: 0,
  EPHEMERAL: 1,
  PERSISTENT_SEQUENTIAL: 2,
  EPHEMERAL_SEQUENTIAL: 3,
  CONTAINER: 4,
  PERSISTENT_WITH_TTL: 5,
  PERSISTENT_SEQUENTIAL_WITH_TTL: 6,
} as const;

export type CreateFlags = (typeof CreateFlags)[keyof typeof CreateFlags];

export function isSequential(flags: number): boolean {
  return (
    flags === CreateFlags.PERSISTENT_SEQUENTIAL ||
    flags === CreateFlags.EPHEMERAL_SEQUENTIAL ||
    flags === CreateFlags.PERSISTENT_SEQUENTIAL_WITH_TTL
  );
}

export function isEphemeral(flags: number): boolean {
  return flags === CreateFlags.EPHEMERAL || flags === CreateFlags.EPHEMERAL_SEQUENTIAL;
}

export function isTTL(flags: number): boolean {
  return (
    flags === CreateFlags.PERSISTENT_WITH_TTL ||
    flags === CreateFlags.PERSISTENT_SEQUENTIAL_WITH_TTL
  );
}

export function isContainer(flags: number): boolean {
  return flags === CreateFlags.CONTAINER;
}

/**
 * The opcode the server requires for these flags: containers only via createContainer, TTL modes
 * only via createTTL (with a CreateTTLRequest), the rest via create. Unknown flags map to create so
 * that the server rejects them with BADARGUMENTS, as it would any bad flags.
 */
export function createOpCodeFor(
  flags: number,
): typeof OpCode.create | typeof OpCode.createContainer | typeof OpCode.createTTL {
  if (isContainer(flags)) return OpCode.createContainer;
  if (isTTL(flags)) return OpCode.createTTL;
  return OpCode.create;
}

/** `Watcher.Event.EventType`; 5–7 are made by the client after removing watches. */
export const EventType = {
  None: -1,
  NodeCreated: 1,
  NodeDeleted: 2,
  NodeDataChanged: 3,
  NodeChildrenChanged: 4,
  DataWatchRemoved: 5,
  ChildWatchRemoved: 6,
  PersistentWatchRemoved: 7,
} as const;

export type EventType = (typeof EventType)[keyof typeof EventType];

/** `Watcher.Event.KeeperState`; the server only ever sends SyncConnected, the rest are client-made. */
export const KeeperState = {
  Unknown: -1,
  Disconnected: 0,
  NoSyncConnected: 1,
  SyncConnected: 3,
  AuthFailed: 4,
  ConnectedReadOnly: 5,
  SaslAuthenticated: 6,
  Closed: 7,
  Expired: -112,
} as const;

export type KeeperState = (typeof KeeperState)[keyof typeof KeeperState];

/** The `type` of checkWatches/removeWatches; 4 and 5 need a 3.9+ server (≤3.8 answers -5). */
export const WatcherType = {
  Children: 1,
  Data: 2,
  Any: 3,
  Persistent: 4,
  PersistentRecursive: 5,
} as const;

export type WatcherType = (typeof WatcherType)[keyof typeof WatcherType];

/** The `mode` of AddWatchRequest. */
export const AddWatchMode = {
  PERSISTENT: 0,
  PERSISTENT_RECURSIVE: 1,
} as const;

export type AddWatchMode = (typeof AddWatchMode)[keyof typeof AddWatchMode];

/** `ZooDefs.Perms` bits of ACL.perms. */
export const Perms = {
  READ: 1,
  WRITE: 2,
  CREATE: 4,
  DELETE: 8,
  ADMIN: 16,
  ALL: 31,
} as const;

export type Perms = (typeof Perms)[keyof typeof Perms];

/** Largest TTL the server accepts, in ms (2^40 - 1); 0 and anything larger get BADARGUMENTS. */
export const MAX_TTL = 1_099_511_627_775;

/** The server's default `jute.maxbuffer`: a request frame longer than this closes the connection. */
export const DEFAULT_MAX_REQUEST_FRAME = 1_048_575;

/**
 * Default inbound limit. A node written by a maximal request reads back in a 1,048,612-byte reply
 * (header and Stat added), which the Java client's 0xfffff limit refuses; we leave some headroom.
 */
export const DEFAULT_MAX_RESPONSE_FRAME = DEFAULT_MAX_REQUEST_FRAME + 4096;

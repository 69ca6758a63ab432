import type { ConnectionOptions as TlsConnectionOptions } from 'node:tls';
import { CreateFlags } from '../protocol/index.js';
import type { ACL, Stat } from '../protocol/index.js';
import type { AuthCredentials, SaslOptions } from './auth-options.js';

export type { Stat } from '../protocol/index.js';

/** How a node is created; the names follow the Java client's `CreateMode`. */
export const CreateMode = {
  PERSISTENT: 'persistent',
  EPHEMERAL: 'ephemeral',
  PERSISTENT_SEQUENTIAL: 'persistent-sequential',
  EPHEMERAL_SEQUENTIAL: 'ephemeral-sequential',
  /** Deleted by the server once its last child is gone. */
  CONTAINER: 'container',
  /** Deleted by the server once it has had no children and no change for `ttl` ms. */
  PERSISTENT_WITH_TTL: 'persistent-ttl',
  PERSISTENT_SEQUENTIAL_WITH_TTL: 'persistent-sequential-ttl',
} as const;
export type CreateMode = (typeof CreateMode)[keyof typeof CreateMode];

export const createFlagsByMode: Readonly<Record<CreateMode, number>> = {
  persistent: CreateFlags.PERSISTENT,
  ephemeral: CreateFlags.EPHEMERAL,
  'persistent-sequential': CreateFlags.PERSISTENT_SEQUENTIAL,
  'ephemeral-sequential': CreateFlags.EPHEMERAL_SEQUENTIAL,
  container: CreateFlags.CONTAINER,
  'persistent-ttl': CreateFlags.PERSISTENT_WITH_TTL,
  'persistent-sequential-ttl': CreateFlags.PERSISTENT_SEQUENTIAL_WITH_TTL,
};

/** Node data: bytes, or a string sent as UTF-8. */
export type Data = Uint8Array | string;

export interface CreateOptions {
  /** Default `'persistent'`. */
  readonly mode?: CreateMode;
  /** Default OPEN_ACL_UNSAFE. */
  readonly acl?: readonly ACL[];
  /** Required for the TTL modes, in ms (1 … 2^40 − 1); refused for the others. */
  readonly ttl?: number;
}

export interface CreateResult {
  /** The created path, chroot stripped; for sequential modes it carries the 10-digit suffix. */
  readonly path: string;
  readonly stat: Stat;
}

export interface VersionOptions {
  /** The version the node must have (Stat.version, or Stat.aversion for setACL); -1 or absent: any. */
  readonly version?: number;
}

export interface WatchOptions {
  /** Leave a one-shot watch; the result then carries `watch`, a promise of the event. */
  readonly watch?: boolean;
  /**
   * Stops waiting for the watch's event: when it aborts, `watch` settles with `watchLost`, reason
   * `aborted`, and the client forgets the watch. The server keeps its side until the event or the
   * session's end (one per path and session, whatever the number of callers); the event then
   * reaches nobody. The read itself is not cancelled.
   */
  readonly signal?: AbortSignal;
}

export type NodeEventType =
  'nodeCreated' | 'nodeDeleted' | 'nodeDataChanged' | 'nodeChildrenChanged';

/** A change a watch reports. `zxid` is the change's transaction id (servers 3.9+; absent before). */
export interface NodeEvent {
  readonly type: NodeEventType;
  readonly path: string;
  readonly zxid?: bigint;
}

/**
 * Made by the client when a watch ended without firing: the session that held it ended
 * (`closed`, `sessionExpired`), or it was removed (`removeWatches`, or another watch's removal
 * took it along).
 */
export interface WatchLostEvent {
  readonly type: 'watchLost';
  readonly path: string;
  readonly reason: 'closed' | 'sessionExpired' | 'removed' | 'aborted';
}

/** What a one-shot watch reports. Watch promises never reject. */
export type WatchEvent = NodeEvent | WatchLostEvent;

/**
 * What a persistent watcher yields. `watchResumed` is made by the client after a reconnect, once
 * the watch is registered again: changes made while disconnected are not replayed, so re-read.
 * After `watchLost` the watcher ends.
 */
export type PersistentWatchEvent =
  NodeEvent | WatchLostEvent | { readonly type: 'watchResumed'; readonly path: string };

/** `persistent`: events for the node itself; `persistent-recursive`: for it and every descendant. */
export type AddWatchMode = 'persistent' | 'persistent-recursive';

export interface AddWatchOptions {
  /** Default `'persistent'`. */
  readonly mode?: AddWatchMode;
  /** Aborting it closes the watcher, as `close()` does. */
  readonly signal?: AbortSignal;
}

/**
 * Which watches `removeWatches` and `checkWatches` address. `data` covers watches left by
 * getData and exists. `persistent` and `persistent-recursive` need servers 3.9+; older ones
 * answer MarshallingError, and `any` reaches persistent watches there.
 */
export type WatcherType = 'children' | 'data' | 'any' | 'persistent' | 'persistent-recursive';

export interface RemoveWatchesOptions {
  /**
   * Remove the local watches even when the server cannot be told (no connection, or the
   * connection is lost meanwhile), as the Java client's `local` flag does. Default false.
   */
  readonly local?: boolean;
}

export interface GetDataResult {
  /** The node's data; a node created with no data reads as an empty buffer. */
  readonly data: Buffer;
  readonly stat: Stat;
}

export interface GetChildrenResult {
  /** Child names (not paths), in the server's order, which is unspecified. */
  readonly children: string[];
  readonly stat: Stat;
}

export interface GetACLResult {
  readonly acl: ACL[];
  readonly stat: Stat;
}

export interface Watched {
  /** Settles once, with the first event for the node (or `watchLost`). */
  readonly watch: Promise<WatchEvent>;
}

export interface ZooKeeperOptions {
  /** Requested session timeout in ms (default 30 000); the server clamps it to its bounds. */
  readonly sessionTimeout?: number;
  /** How long a request may wait for its answer, in ms (default 30 000; 0 = no limit). */
  readonly requestTimeout?: number;
  /**
   * After the session is lost (expired, or the client's session timer ran out), open a new
   * session and go on (default true), or stay `lost`, rejecting every call with
   * SessionExpiredError until `close()`.
   */
  readonly newSessionOnLoss?: boolean;
  /** How long `connect()` may try to open a session, in ms (default: the session timeout). */
  readonly connectTimeout?: number;
  /** Largest request the client sends, in bytes (default 1 048 575, the server's `jute.maxbuffer`). */
  readonly maxRequestSize?: number;
  /** Largest reply the client accepts, in bytes (default a little over 1 MiB). */
  readonly maxResponseSize?: number;
  /**
   * How a closed persistent watcher is removed from the server. `'any'` (default) works on every
   * server (3.6+): it sends WatcherType Any, so it is sent only when no other watch of this
   * client remains on the path; otherwise the server-side watch stays until the path's other
   * watches are gone or the connection is re-established, and its events are dropped. `'exact'`
   * removes just that watch by its own type (servers 3.9+).
   */
  readonly persistentWatchRemoval?: 'any' | 'exact';
  /** Connect to every server over TLS with these `node:tls` options (see docs/client.md, TLS). */
  readonly tls?: ZooKeeperTlsOptions;
  /** Credentials sent on every connection before any request, as `addAuth` sends them. */
  readonly auth?: readonly AuthCredentials[];
  /** SASL run on every connection before anything else. */
  readonly sasl?: SaslOptions;
  /**
   * Accept a server that lost its quorum and serves reads only (state `readOnly`, writes reject
   * with NotReadOnlyError) rather than waiting for a read/write one (default false).
   */
  readonly canBeReadOnly?: boolean;
  /**
   * Trust the session only as far as a `sync` answered through the leader proves the leader
   * keeps it (default on), so that a hold ends in time also on a server cut off from the quorum;
   * `false` trusts what the connected server answers, as other ZooKeeper clients do. See
   * docs/sessions.md, "Trust confirmed by the leader".
   */
  readonly leaderConfirmation?: false | LeaderConfirmationSettings;
}

export interface LeaderConfirmationSettings {
  /**
   * The servers' tickTime in ms, or an upper bound on it: a follower passes our session's
   * touches to the leader within a tickTime. Default: half the negotiated session timeout, the
   * most it can be when the servers keep ZooKeeper's default `minSessionTimeout` (2 × tickTime).
   */
  readonly tickTime?: number;
  /**
   * How often to send the confirming `sync`, ms (default: the longest interval that keeps trust
   * unbroken, about (sessionTimeout − 1.25 × tickTime) / 3, so sessionTimeout / 8 with the default
   * tickTime; a longer one is shortened to it).
   */
  readonly syncInterval?: number;
}

/**
 * `node:tls` connect options (`ca`, `cert`, `key`, `servername`, `rejectUnauthorized`, ...); the
 * host and port come from the connect string.
 */
export type ZooKeeperTlsOptions = Omit<TlsConnectionOptions, 'host' | 'port' | 'path' | 'socket'>;

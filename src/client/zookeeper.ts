import { EventEmitter } from 'node:events';
import type { ACL, Id, Stat } from '../protocol/index.js';
import { OPEN_ACL_UNSAFE } from './acl.js';
import { Chroot } from './chroot.js';
import { parseConnectString } from './connect-string.js';
import type { HostAddress } from './connect-string.js';
import type { ConnectionCounters } from './transport/transport.js';
import { validatePath } from './path.js';
import { Session } from './session/session.js';
import type { SessionState } from './session/session-types.js';
import { retry } from './retry.js';
import type { RetryOptions } from './retry.js';
import { StateObservers } from './state-observers.js';
import type { StateObserver } from './state-observers.js';
import type { StateChange } from './state-stream.js';
import { MultiRead } from './operations/multi-read.js';
import { Transaction } from './operations/transaction.js';
import { sessionOptions, watchRemovalOption } from './options.js';
import * as admin from './operations/admin.js';
import * as config from './operations/config.js';
import type { ConfigResult, ReconfigChange } from './operations/config.js';
import type { OpContext } from './operations/context.js';
import * as reads from './operations/reads.js';
import * as watches from './operations/watches.js';
import * as writes from './operations/writes.js';
import type { PersistentWatcher } from './watches/persistent-watcher.js';
import type {
  AddWatchOptions,
  CreateOptions,
  CreateResult,
  Data,
  GetACLResult,
  GetChildrenResult,
  GetDataResult,
  RemoveWatchesOptions,
  VersionOptions,
  WatcherType,
  Watched,
  WatchOptions,
  ZooKeeperOptions,
} from './types.js';

export type ZooKeeperState = SessionState;

interface ZooKeeperEvents {
  /** Every state change; `change` says from what and, for `lost`, why. */
  state: [state: ZooKeeperState, change: StateChange];
}

/**
 * A ZooKeeper client: one session, every operation as a promise. Open it with
 * `await ZooKeeper.connect('host:port,.../chroot', options)` and end it with `await zk.close()`.
 *
 * Every operation rejects with the error class of the server's code (`NoNodeError`, …),
 * `ConnectionLossError` (outcome unknown), `RequestTimeoutError`, `SessionExpiredError`,
 * `ClientClosedError`, or `InvalidArgumentError` for input that is refused before anything is sent.
 */
export class ZooKeeper extends EventEmitter<ZooKeeperEvents> {
  private readonly ops: OpContext;
  private readonly stateObservers: StateObservers;

  private constructor(
    private readonly session: Session,
    private readonly chroot: Chroot,
    persistentWatchRemoval: 'any' | 'exact',
  ) {
    super();
    this.ops = {
      session,
      chroot,
      serverPath: (path, sequential) => this.serverPath(path, sequential),
      persistentWatchRemoval,
    };
    this.stateObservers = new StateObservers(session, (state, change) => {
      this.emit('state', state, change);
    });
  }

  /** Opens a session with one of the servers of `connectString` (`host:port[,host:port...][/chroot]`). */
  static async connect(connectString: string, options: ZooKeeperOptions = {}): Promise<ZooKeeper> {
    const { hosts, chroot } = parseConnectString(connectString);
    const removal = watchRemovalOption(options.persistentWatchRemoval);
    const session = new Session(sessionOptions(hosts, options));
    await session.start();
    return new ZooKeeper(session, new Chroot(chroot), removal);
  }

  /** The session id the server gave us (0n until connected). */
  get sessionId(): bigint {
    return this.session.sessionId;
  }

  /**
   * Until when the session can be trusted, on the `performance.now()` clock: what the leader
   * confirmed (docs/sessions.md), never later than one session timeout after the send of the
   * last request the server answered. Undefined while there is no session to trust (lost, closed,
   * failed) or the server cannot vouch for it (read-only). Reading it lets a check be exact even
   * when the event loop was too busy for the client's timers to run on time.
   */
  get sessionDeadline(): number | undefined {
    return this.session.trustDeadline;
  }

  /**
   * Calls `observer` on every state change, before any `'state'` event listener, each observer
   * apart: one that throws (the error is rethrown on the next tick, as an uncaught exception)
   * stops neither the others nor the event. Also, with the state unchanged (`change.previous ===
   * change.state`): once as `close()` begins (`closing` true, before closeSession leaves), and
   * when `sessionDeadline` passes or the host is found to have slept. What must react to the
   * session whatever user code does — leases, waiting acquires — observes this way. Returns the
   * function that stops it.
   */
  observeState(observer: StateObserver): () => void {
    return this.stateObservers.add(observer);
  }

  /** The session timeout the server granted, in ms. */
  get sessionTimeout(): number {
    return this.session.negotiatedTimeoutMs;
  }

  get state(): ZooKeeperState {
    return this.session.state;
  }

  /**
   * True once `close()` was called, before `closed` is reported: the server may already be
   * deleting our ephemeral nodes.
   */
  get closing(): boolean {
    return this.session.closing;
  }

  /**
   * The state changes from now on, as an async iterator that ends after `closed` (or when
   * `signal` aborts). Changes are buffered, so a slow consumer misses none.
   *
   * ```ts
   * for await (const { state, sessionId } of zk.states()) console.log(state, sessionId);
   * ```
   */
  states(options: { signal?: AbortSignal } = {}): AsyncIterableIterator<StateChange> {
    return this.stateObservers.stream(options.signal);
  }

  /**
   * Runs an idempotent operation, retrying it after ConnectionLossError, RequestTimeoutError or
   * ThrottledOpError with exponential backoff and jitter (never after SessionExpiredError).
   *
   * ```ts
   * const { data } = await zk.retry(() => zk.getData('/config'), { retries: 3 });
   * ```
   */
  retry<T>(fn: (attempt: number) => Promise<T>, options?: RetryOptions): Promise<T> {
    return retry(fn, options);
  }

  /** Wire counters (socket writes, frames), summed over the session's connections. */
  get stats(): Readonly<ConnectionCounters> {
    return { ...this.session.counters };
  }

  /**
   * The session password the server issued (16 bytes; a copy). With `sessionId` it lets another
   * connection resume this session, which is what `expireSession()` in `zkcoord/testing` does.
   */
  get sessionPassword(): Buffer {
    return Buffer.from(this.session.password);
  }

  /** The server this client is connected to right now, or undefined while disconnected. */
  get connectedServer(): HostAddress | undefined {
    return this.session.server;
  }

  /** The chroot of the connect string, or '' when there is none. */
  get chrootPath(): string {
    return this.chroot.prefix;
  }

  private serverPath(path: string, sequential = false): string {
    validatePath(path, sequential);
    return this.chroot.toServer(path, sequential);
  }

  /**
   * Creates a node. Rejects with NodeExistsError, NoNodeError (no parent),
   * NoChildrenForEphemeralsError, InvalidACLError, NoAuthError, BadArgumentsError, or
   * UnimplementedError (TTL on a server without extended types).
   */
  create(path: string, data?: Data, options: CreateOptions = {}): Promise<CreateResult> {
    return writes.create(this.ops, path, data, options);
  }

  /** Deletes a node. Rejects with NoNodeError, BadVersionError, NotEmptyError or NoAuthError. */
  delete(path: string, options: VersionOptions = {}): Promise<void> {
    return writes.remove(this.ops, path, options);
  }

  /** The node's Stat, or null when it does not exist. With `watch`, a watch is left either way. */
  exists(path: string): Promise<Stat | null>;
  exists(
    path: string,
    options: WatchOptions & { watch: true },
  ): Promise<{ stat: Stat | null } & Watched>;
  exists(
    path: string,
    options?: WatchOptions,
  ): Promise<Stat | null | ({ stat: Stat | null } & Watched)>;
  exists(
    path: string,
    options: WatchOptions = {},
  ): Promise<Stat | null | ({ stat: Stat | null } & Watched)> {
    return reads.exists(this.ops, path, options);
  }

  /** The node's data and Stat. Rejects with NoNodeError or NoAuthError. */
  getData(path: string): Promise<GetDataResult>;
  getData(path: string, options: WatchOptions & { watch: true }): Promise<GetDataResult & Watched>;
  getData(path: string, options?: WatchOptions): Promise<GetDataResult | (GetDataResult & Watched)>;
  getData(
    path: string,
    options: WatchOptions = {},
  ): Promise<GetDataResult | (GetDataResult & Watched)> {
    return reads.getData(this.ops, path, options);
  }

  /** Sets the node's data; returns the new Stat. Rejects with NoNodeError, BadVersionError or NoAuthError. */
  setData(path: string, data: Data, options: VersionOptions = {}): Promise<Stat> {
    return writes.setData(this.ops, path, data, options);
  }

  /** Child names and the node's Stat. Rejects with NoNodeError or NoAuthError. */
  getChildren(path: string): Promise<GetChildrenResult>;
  getChildren(
    path: string,
    options: WatchOptions & { watch: true },
  ): Promise<GetChildrenResult & Watched>;
  getChildren(
    path: string,
    options?: WatchOptions,
  ): Promise<GetChildrenResult | (GetChildrenResult & Watched)>;
  getChildren(
    path: string,
    options: WatchOptions = {},
  ): Promise<GetChildrenResult | (GetChildrenResult & Watched)> {
    return reads.getChildren(this.ops, path, options);
  }

  /** The node's ACL and Stat. Rejects with NoNodeError or NoAuthError. */
  getACL(path: string): Promise<GetACLResult> {
    return reads.getACL(this.ops, path);
  }

  /**
   * Replaces the node's ACL; `version` is checked against Stat.aversion. Rejects with NoNodeError,
   * BadVersionError, InvalidACLError or NoAuthError.
   */
  setACL(path: string, acl: readonly ACL[], options: VersionOptions = {}): Promise<Stat> {
    return writes.setACL(this.ops, path, acl, options);
  }

  /**
   * Waits until the server this client is connected to has applied every write the leader had
   * committed when the sync arrived, so later reads on this client see at least that state.
   */
  sync(path = '/'): Promise<void> {
    return reads.sync(this.ops, path);
  }

  /**
   * The paths of this session's ephemeral nodes whose path starts with `prefix` (servers 3.6+),
   * unordered. The prefix is matched as a string, not as a path: `/locks/lock-` finds
   * `/locks/lock-0000000003`; it need only start with `/`. Under a chroot, the chroot is put before
   * the prefix and stripped from the results (the Java client does neither).
   */
  getEphemerals(prefix = '/'): Promise<string[]> {
    return admin.getEphemerals(this.ops, prefix);
  }

  /**
   * How many nodes are below `path`, at any depth, not counting it (servers 3.6+). Rejects with
   * NoNodeError or NoAuthError.
   */
  getAllChildrenNumber(path: string): Promise<number> {
    return admin.getAllChildrenNumber(this.ops, path);
  }

  /**
   * The identities the server holds for this session (servers 3.7+): `{ scheme: 'ip', id }` for
   * every connection, plus one per other authentication the session holds.
   */
  whoAmI(): Promise<Id[]> {
    return admin.whoAmI(this.ops);
  }

  /**
   * Adds a persistent watch (servers 3.6+): `persistent` reports NodeCreated, NodeDataChanged,
   * NodeDeleted and NodeChildrenChanged for the node; `persistent-recursive` reports all but
   * NodeChildrenChanged for the node and every descendant. The node need not exist. Resolves once
   * the server has it; the watch is registered again after every reconnect, reported as a
   * `watchResumed` event (changes made while disconnected are not replayed: re-read then). When
   * the session ends the watcher yields `watchLost` and ends. Rejects with UnimplementedError on
   * servers before 3.6, or the usual connection errors.
   *
   * On servers up to 3.8, a one-shot and a persistent watch on the same path of one client
   * overwrite each other's mode on the server (ZOOKEEPER-4466): do not mix them on one path.
   */
  addWatch(path: string, options: AddWatchOptions = {}): Promise<PersistentWatcher> {
    return watches.addWatch(this.ops, path, options);
  }

  /**
   * Removes this client's watches of `type` on `path` from the server (and the local ones they
   * served: one-shot watches settle and persistent watchers end with `watchLost`, reason
   * `removed`). Rejects with NoWatcherError when the server has none, MarshallingError for the
   * `persistent*` types on servers before 3.9, or the connection errors, unless `local` is set.
   */
  removeWatches(
    path: string,
    type: WatcherType = 'any',
    options: RemoveWatchesOptions = {},
  ): Promise<void> {
    return watches.removeWatches(this.ops, path, type, options);
  }

  /**
   * True when the server holds a watch of `type` for this client on `path`, false when it holds
   * none. Rejects with MarshallingError for the `persistent*` types on servers before 3.9.
   */
  checkWatches(path: string, type: WatcherType = 'any'): Promise<boolean> {
    return watches.checkWatches(this.ops, path, type);
  }

  /**
   * Adds credentials to the session (`digest` with `user:password`, or a scheme of a provider
   * configured on the server), now or, while disconnected, on the next connection; they are sent
   * again on every later connection. Resolves once the server accepts them. A scheme the server
   * refuses fails the whole client with AuthFailedError: state `authFailed`, no reconnecting.
   */
  addAuth(scheme: string, auth: string | Uint8Array): Promise<void> {
    return this.session.auth.add(scheme, auth);
  }

  /**
   * The ensemble's configuration, `/zookeeper/config`, read whatever the chroot; parsed as
   * `config`. With `watch`, the watch fires (`nodeDataChanged`) when a reconfig commits.
   */
  getConfig(): Promise<ConfigResult>;
  getConfig(options: WatchOptions & { watch: true }): Promise<ConfigResult & Watched>;
  getConfig(options?: WatchOptions): Promise<ConfigResult | (ConfigResult & Watched)>;
  getConfig(options: WatchOptions = {}): Promise<ConfigResult | (ConfigResult & Watched)> {
    return config.getConfig(this.ops, options);
  }

  /**
   * Changes the ensemble's membership (servers 3.5+ with `reconfigEnabled=true`); resolves with
   * the new configuration. Rejects with ReconfigDisabledError, NoAuthError (it needs WRITE on
   * `/zookeeper/config`: the super user, or `skipACL`), BadVersionError (`fromConfig` is not the
   * current version), NewConfigNoQuorumError, ReconfigInProgressError or BadArgumentsError.
   */
  reconfig(change: ReconfigChange): Promise<ConfigResult> {
    return config.reconfig(this.ops, change);
  }

  /**
   * A transaction (ZooKeeper `multi`): add operations, then `commit()`. All of them apply, or none.
   */
  transaction(): Transaction {
    return new Transaction(this.session, this.chroot, (path, sequential) =>
      this.serverPath(path, sequential),
    );
  }

  /**
   * A multiRead (servers 3.6+): add getData and getChildren reads, then `commit()`. Not atomic:
   * each read resolves to its result or to `{ type: 'error', error }` on its own.
   */
  multiRead(): MultiRead {
    return new MultiRead(this.ops);
  }

  /**
   * Ends the session: the server deletes our ephemeral nodes at once. Waits for the server's answer
   * at most 2 s; whatever is still pending then fails with ClientClosedError. Idempotent.
   */
  async close(): Promise<void> {
    await this.session.close();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}

export const defaultAcl: readonly ACL[] = OPEN_ACL_UNSAFE;

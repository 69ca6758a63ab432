import {
  AddWatchMode as WireAddWatchMode,
  ErrorCode,
  OpCode,
  WatcherType as WireWatcherType,
} from '../../protocol/index.js';
import {
  AuthFailedError,
  ClientClosedError,
  ConnectionLossError,
  InvalidArgumentError,
  NoWatcherError,
  RequestTimeoutError,
  SessionExpiredError,
} from '../errors.js';
import { PersistentWatcher } from '../watches/persistent-watcher.js';
import type { AddWatchOptions, AddWatchMode, RemoveWatchesOptions, WatcherType } from '../types.js';
import { toWatchEvent } from '../watches/watch-promise.js';
import type { PersistentKind, WatchKind, WatchListener } from '../watches/watch-registry.js';
import type { OpContext } from './context.js';
import { call } from './call.js';

// The bodies of the ZooKeeper class's watch management; contracts are documented there.

const wireModes: Readonly<Record<AddWatchMode, number>> = {
  persistent: WireAddWatchMode.PERSISTENT,
  'persistent-recursive': WireAddWatchMode.PERSISTENT_RECURSIVE,
};

const kindsOfMode: Readonly<Record<AddWatchMode, PersistentKind>> = {
  persistent: 'persistent',
  'persistent-recursive': 'recursive',
};

const wireTypes: Readonly<Record<WatcherType, number>> = {
  children: WireWatcherType.Children,
  data: WireWatcherType.Data,
  any: WireWatcherType.Any,
  persistent: WireWatcherType.Persistent,
  'persistent-recursive': WireWatcherType.PersistentRecursive,
};

/** The local tables a server-side removal of each type empties. */
const kindsOfType: Readonly<Record<WatcherType, readonly (WatchKind | PersistentKind)[]>> = {
  children: ['child'],
  data: ['data', 'exist'],
  any: ['data', 'exist', 'child', 'persistent', 'recursive'],
  persistent: ['persistent'],
  'persistent-recursive': ['recursive'],
};

export async function addWatch(
  ctx: OpContext,
  path: string,
  options: AddWatchOptions,
): Promise<PersistentWatcher> {
  const mode = options.mode ?? 'persistent';
  if (!(mode in wireModes)) {
    throw new InvalidArgumentError(
      `addWatch mode must be 'persistent' or 'persistent-recursive', got ${JSON.stringify(mode)}`,
    );
  }
  const serverPath = ctx.serverPath(path);
  const kind = kindsOfMode[mode];
  const registry = ctx.session.watches;
  const listener: WatchListener = (raw) => {
    watcher.deliver(toWatchEvent(raw, ctx.chroot));
  };
  const watcher: PersistentWatcher = new PersistentWatcher(
    path,
    mode,
    () => detach(ctx, kind, serverPath, listener),
    options.signal,
  );
  options.signal?.throwIfAborted();
  try {
    await call(
      ctx.session,
      OpCode.addWatch,
      path,
      { path: serverPath, mode: wireModes[mode] },
      // Registered with the reply, in wire order: no event can precede it, and none after it is
      // missed. Registered even when the watcher was closed meanwhile, so that detach finds it
      // and removes the watch the server now has.
      (err) => {
        if (err === 0) registry.add(kind, serverPath, listener);
      },
    );
  } catch (error) {
    await watcher.close().catch(() => undefined);
    throw error;
  }
  if (watcher.closed) await detach(ctx, kind, serverPath, listener);
  return watcher;
}

/** Drops a closed watcher's listener and, when it served nobody else, the server-side watch. */
async function detach(
  ctx: OpContext,
  kind: PersistentKind,
  serverPath: string,
  listener: WatchListener,
): Promise<void> {
  const registry = ctx.session.watches;
  if (!registry.remove(kind, serverPath, listener)) return;
  const exact = ctx.persistentWatchRemoval === 'exact';
  // Any would take the path's other watches along: leave the server's watch until they are gone.
  if (!exact && registry.hasAnyAt(serverPath)) return;
  // A new connection re-registers only what is still listed, so while disconnected nothing is left to remove.
  if (!isConnected(ctx)) return;
  const type = exact ? (kind === 'persistent' ? 'persistent' : 'persistent-recursive') : 'any';
  try {
    await sendRemove(ctx, ctx.chroot.fromServer(serverPath), serverPath, type);
  } catch (error) {
    if (!isGoneOrUnreachable(error)) throw error;
  }
}

export async function removeWatches(
  ctx: OpContext,
  path: string,
  type: WatcherType,
  options: RemoveWatchesOptions,
): Promise<void> {
  validateType(type);
  const serverPath = ctx.serverPath(path);
  const kinds = kindsOfType[type];
  if (options.local === true && !isConnected(ctx)) {
    ctx.session.watches.end(kinds, serverPath, 'removed');
    return;
  }
  try {
    await sendRemove(ctx, path, serverPath, type);
  } catch (error) {
    if (options.local !== true) throw error;
    ctx.session.watches.end(kinds, serverPath, 'removed');
    if (error instanceof NoWatcherError || !isGoneOrUnreachable(error)) throw error;
  }
}

/** Sends RemoveWatches; on success ends the local watches the server just dropped (even ones set meanwhile). */
async function sendRemove(
  ctx: OpContext,
  path: string,
  serverPath: string,
  type: WatcherType,
): Promise<void> {
  await call(
    ctx.session,
    OpCode.removeWatches,
    path,
    { path: serverPath, type: wireTypes[type] },
    (err) => {
      if (err === 0) ctx.session.watches.end(kindsOfType[type], serverPath, 'removed');
    },
  );
}

export async function checkWatches(
  ctx: OpContext,
  path: string,
  type: WatcherType,
): Promise<boolean> {
  validateType(type);
  try {
    await call(ctx.session, OpCode.checkWatches, path, {
      path: ctx.serverPath(path),
      type: wireTypes[type],
    });
    return true;
  } catch (error) {
    if (error instanceof NoWatcherError) return false;
    throw error;
  }
}

function validateType(type: unknown): asserts type is WatcherType {
  if (typeof type !== 'string' || !(type in wireTypes)) {
    throw new InvalidArgumentError(
      `watcher type must be one of ${Object.keys(wireTypes).join(', ')}, got ${String(type)}`,
    );
  }
}

function isConnected(ctx: OpContext): boolean {
  const state = ctx.session.state;
  return state === 'connected' || state === 'reconnected' || state === 'readOnly';
}

/** Errors after which the server-side watch is gone with its connection, or cannot be reached. */
function isGoneOrUnreachable(error: unknown): boolean {
  return (
    (error instanceof Error && 'zkCode' in error && error.zkCode === ErrorCode.NOWATCHER) ||
    error instanceof ConnectionLossError ||
    error instanceof SessionExpiredError ||
    error instanceof RequestTimeoutError ||
    error instanceof ClientClosedError ||
    error instanceof AuthFailedError
  );
}

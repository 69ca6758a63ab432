import { EventType } from '../../protocol/index.js';
import type { Chroot } from '../chroot.js';
import type { NodeEventType, PersistentWatchEvent, WatchEvent } from '../types.js';
import type { RawWatchEvent, WatchKind, WatchRegistry } from './watch-registry.js';

export const eventNames: Readonly<Record<number, NodeEventType>> = {
  [EventType.NodeCreated]: 'nodeCreated',
  [EventType.NodeDeleted]: 'nodeDeleted',
  [EventType.NodeDataChanged]: 'nodeDataChanged',
  [EventType.NodeChildrenChanged]: 'nodeChildrenChanged',
};

export interface PendingWatch {
  readonly promise: Promise<WatchEvent>;
  /** Registers the watch in a table now (call it from a reply hook: in wire order). */
  register(kind: WatchKind): void;
  /** A reply hook (run synchronously with the reply) that registers the watch when the request succeeded. */
  registerOnSuccess(kind: WatchKind): (err: number) => void;
}

/**
 * A one-shot watch as a promise that settles with the first event, chroot stripped. Once `signal`
 * aborts it settles with `watchLost` (reason `aborted`) and its listener leaves the registry, or
 * is never added when the reply comes later.
 */
export function watchFor(
  registry: WatchRegistry,
  chroot: Chroot,
  serverPath: string,
  signal?: AbortSignal,
): PendingWatch {
  let settle: (event: WatchEvent) => void = () => undefined;
  const promise = new Promise<WatchEvent>((resolve) => {
    settle = resolve;
  });
  // The table it went into, or 'aborted' once the signal ended it (a late reply then adds nothing).
  let registered: WatchKind | 'aborted' | undefined;
  // Made only for a watch with a signal: a client may hold 100,000 watches, most without one.
  // Settling twice is harmless (a promise settles once), so no flag guards it.
  const onAbort =
    signal === undefined
      ? undefined
      : (): void => {
          if (registered !== undefined && registered !== 'aborted') {
            registry.remove(registered, serverPath, listener);
          }
          registered = 'aborted';
          settle({ type: 'watchLost', path: chroot.fromServer(serverPath), reason: 'aborted' });
        };
  const listener = (raw: RawWatchEvent): void => {
    const event = toWatchEvent(raw, chroot);
    // A one-shot watch is never re-registered as persistent, so `watchResumed` cannot reach it.
    if (event.type === 'watchResumed') return;
    if (onAbort !== undefined) signal?.removeEventListener('abort', onAbort);
    settle(event);
  };
  const register = (kind: WatchKind): void => {
    if (registered === 'aborted') return;
    registered = kind;
    registry.add(kind, serverPath, listener);
  };
  if (onAbort !== undefined) {
    if (signal?.aborted === true) onAbort();
    else signal?.addEventListener('abort', onAbort, { once: true });
  }
  return {
    promise,
    register,
    registerOnSuccess: (kind) => (err) => {
      if (err === 0) register(kind);
    },
  };
}

/** The public form of a raw event: chroot stripped, names for types, zxid only when real (3.9+). */
export function toWatchEvent(raw: RawWatchEvent, chroot: Chroot): PersistentWatchEvent {
  const path = chroot.fromServer(raw.serverPath);
  switch (raw.kind) {
    case 'lost':
      return { type: 'watchLost', path, reason: raw.reason };
    case 'resumed':
      return { type: 'watchResumed', path };
    case 'event': {
      const type = eventNames[raw.type] ?? 'nodeDataChanged';
      return raw.zxid >= 0n ? { type, path, zxid: raw.zxid } : { type, path };
    }
  }
}

import { EventType } from '../../protocol/index.js';

/** Which server table a one-shot watch lives in (the server keeps data and child tables). */
export type WatchKind = 'data' | 'exist' | 'child';

/** The two modes of addWatch: the node itself, or the node and every descendant. */
export type PersistentKind = 'persistent' | 'recursive';

/** Why a watch ended without an event of its own. */
export type WatchEndReason = 'closed' | 'sessionExpired' | 'removed' | 'aborted';

/**
 * A raw event as the server sent it (server path, numeric type), or one the client made: the
 * watch ended (`lost`), or a persistent watch was re-registered after a reconnect (`resumed`).
 */
export type RawWatchEvent =
  | {
      readonly kind: 'event';
      readonly type: number;
      readonly serverPath: string;
      readonly zxid: bigint;
    }
  | { readonly kind: 'lost'; readonly reason: WatchEndReason; readonly serverPath: string }
  | { readonly kind: 'resumed'; readonly serverPath: string };

export type WatchListener = (event: RawWatchEvent) => void;

/** The tables an event empties, as the Java client's ZKWatchManager materializes them. */
const tablesFor: Readonly<Record<number, readonly WatchKind[]>> = {
  [EventType.NodeCreated]: ['data', 'exist'],
  [EventType.NodeDataChanged]: ['data', 'exist'],
  [EventType.NodeChildrenChanged]: ['child'],
  [EventType.NodeDeleted]: ['data', 'exist', 'child'],
};

type Table = Map<string, WatchListener[]>;

/**
 * The client's watches, by server path. The server keeps one entry per (path, table) and sends
 * one notification per event however many of our watches it matches, so one notification fans
 * out to every local listener it concerns: one-shot ones (removed), persistent ones on the path,
 * and recursive ones on the path or any ancestor.
 */
export class WatchRegistry {
  private readonly tables: Record<WatchKind | PersistentKind, Table> = {
    data: new Map(),
    exist: new Map(),
    child: new Map(),
    persistent: new Map(),
    recursive: new Map(),
  };

  add(kind: WatchKind | PersistentKind, serverPath: string, listener: WatchListener): void {
    const table = this.tables[kind];
    const listeners = table.get(serverPath);
    if (listeners === undefined) table.set(serverPath, [listener]);
    else listeners.push(listener);
  }

  /**
   * Drops one listener without telling it; true when it was the path's last listener of that
   * kind (the server-side watch then serves nobody).
   */
  remove(kind: WatchKind | PersistentKind, serverPath: string, listener: WatchListener): boolean {
    const table = this.tables[kind];
    const listeners = table.get(serverPath);
    if (listeners === undefined) return false;
    const remaining = listeners.filter((l) => l !== listener);
    if (remaining.length > 0) table.set(serverPath, remaining);
    else table.delete(serverPath);
    return remaining.length === 0 && remaining.length < listeners.length;
  }

  /** True when any watch of any kind is registered on exactly this path. */
  hasAnyAt(serverPath: string): boolean {
    return Object.values(this.tables).some((table) => table.has(serverPath));
  }

  get size(): number {
    let n = 0;
    for (const table of Object.values(this.tables)) {
      for (const listeners of table.values()) n += listeners.length;
    }
    return n;
  }

  /**
   * Delivers a server notification to every listener it concerns, removing the one-shot ones;
   * returns how many listeners it reached.
   */
  dispatch(type: number, serverPath: string, zxid: bigint): number {
    const kinds = tablesFor[type];
    if (kinds === undefined) return 0;
    const fired = new Set<WatchListener>();
    for (const kind of kinds) {
      const listeners = this.tables[kind].get(serverPath);
      if (listeners === undefined) continue;
      this.tables[kind].delete(serverPath);
      for (const listener of listeners) fired.add(listener);
    }
    for (const listener of this.tables.persistent.get(serverPath) ?? []) fired.add(listener);
    // The server never sends NodeChildrenChanged for a recursive watch; one that arrives was for a
    // persistent or child watch on the same path and must not reach the recursive listeners.
    if (type !== EventType.NodeChildrenChanged && this.tables.recursive.size > 0) {
      for (const path of selfAndAncestors(serverPath)) {
        for (const listener of this.tables.recursive.get(path) ?? []) fired.add(listener);
      }
    }
    const event: RawWatchEvent = { kind: 'event', type, serverPath, zxid };
    for (const listener of fired) listener(event);
    return fired.size;
  }

  /** Paths per table, for re-registering with SetWatches after a reconnect. */
  paths(): Record<WatchKind | PersistentKind, string[]> {
    return {
      data: [...this.tables.data.keys()],
      exist: [...this.tables.exist.keys()],
      child: [...this.tables.child.keys()],
      persistent: [...this.tables.persistent.keys()],
      recursive: [...this.tables.recursive.keys()],
    };
  }

  /** Tells every persistent listener it was re-registered: changes made meanwhile were not seen. */
  resumeAll(): void {
    for (const kind of ['persistent', 'recursive'] as const) {
      for (const [serverPath, listeners] of this.tables[kind]) {
        const event: RawWatchEvent = { kind: 'resumed', serverPath };
        for (const listener of [...listeners]) listener(event);
      }
    }
  }

  /** Ends the listeners of `kinds` on one path with a client-made event. */
  end(
    kinds: readonly (WatchKind | PersistentKind)[],
    serverPath: string,
    reason: WatchEndReason,
  ): void {
    const event: RawWatchEvent = { kind: 'lost', reason, serverPath };
    const ended = new Set<WatchListener>();
    for (const kind of kinds) {
      for (const listener of this.tables[kind].get(serverPath) ?? []) ended.add(listener);
      this.tables[kind].delete(serverPath);
    }
    for (const listener of ended) listener(event);
  }

  /** Ends every watch with a client-made event: the session that held them is gone. */
  failAll(reason: 'closed' | 'sessionExpired'): void {
    for (const table of Object.values(this.tables)) {
      for (const [serverPath, listeners] of table) {
        const event: RawWatchEvent = { kind: 'lost', reason, serverPath };
        for (const listener of listeners) listener(event);
      }
      table.clear();
    }
  }
}

function* selfAndAncestors(serverPath: string): Generator<string> {
  let path = serverPath;
  for (;;) {
    yield path;
    if (path === '/') return;
    const slash = path.lastIndexOf('/');
    path = slash <= 0 ? '/' : path.slice(0, slash);
  }
}

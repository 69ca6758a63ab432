import { EventType } from '../protocol/index.js';

/** Which server table a one-shot watch lives in (the server keeps data and child tables). */
export type WatchKind = 'data' | 'exist' | 'child';

/** A raw event as the server sent it (server path, numeric type), or a client-made loss. */
export type RawWatchEvent =
  | {
      readonly kind: 'event';
      readonly type: number;
      readonly serverPath: string;
      readonly zxid: bigint;
    }
  | {
      readonly kind: 'lost';
      readonly reason: 'closed' | 'sessionExpired';
      readonly serverPath: string;
    };

export type WatchListener = (event: RawWatchEvent) => void;

/** The tables an event empties, as the Java client's ZKWatchManager materializes them. */
const tablesFor: Readonly<Record<number, readonly WatchKind[]>> = {
  [EventType.NodeCreated]: ['data', 'exist'],
  [EventType.NodeDataChanged]: ['data', 'exist'],
  [EventType.NodeChildrenChanged]: ['child'],
  [EventType.NodeDeleted]: ['data', 'exist', 'child'],
};

/**
 * The client's one-shot watches, by server path. The server keeps one entry per (path, table), so
 * one notification fans out to every local listener of the tables it empties.
 */
export class WatchRegistry {
  private readonly tables: Record<WatchKind, Map<string, WatchListener[]>> = {
    data: new Map(),
    exist: new Map(),
    child: new Map(),
  };

  add(kind: WatchKind, serverPath: string, listener: WatchListener): void {
    const table = this.tables[kind];
    const listeners = table.get(serverPath);
    if (listeners === undefined) table.set(serverPath, [listener]);
    else listeners.push(listener);
  }

  get size(): number {
    let n = 0;
    for (const table of Object.values(this.tables)) {
      for (const listeners of table.values()) n += listeners.length;
    }
    return n;
  }

  /** Delivers a server notification to, and removes, every listener it triggers. */
  dispatch(type: number, serverPath: string, zxid: bigint): void {
    const kinds = tablesFor[type];
    if (kinds === undefined) return;
    const fired: WatchListener[] = [];
    for (const kind of kinds) {
      const listeners = this.tables[kind].get(serverPath);
      if (listeners === undefined) continue;
      this.tables[kind].delete(serverPath);
      fired.push(...listeners);
    }
    // A listener registered under both tables (none today) would still get the event once.
    const event: RawWatchEvent = { kind: 'event', type, serverPath, zxid };
    for (const listener of new Set(fired)) listener(event);
  }

  /** Paths per table, for re-registering with SetWatches after a reconnect. */
  paths(): Record<WatchKind, string[]> {
    return {
      data: [...this.tables.data.keys()],
      exist: [...this.tables.exist.keys()],
      child: [...this.tables.child.keys()],
    };
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

import type { AddWatchMode, PersistentWatchEvent } from '../types.js';

/**
 * A persistent watch as an async iterable: every event for its node (or subtree) in server order,
 * buffered so a slow consumer misses none. It ends after `close()`, when its `signal` aborts, or
 * after a `watchLost` event (the session ended, or the watch was removed). Iterate it once.
 *
 * ```ts
 * await using watcher = await zk.addWatch('/config', { mode: 'persistent-recursive' });
 * for await (const event of watcher) console.log(event.type, event.path);
 * ```
 */
export class PersistentWatcher implements AsyncIterable<PersistentWatchEvent>, AsyncDisposable {
  private readonly buffered: PersistentWatchEvent[] = [];
  /** Every pending next() call: the protocol allows several at once. */
  private readonly waiters: (() => void)[] = [];
  private ended = false;
  private closing: Promise<void> | undefined;

  /** @internal Made by `ZooKeeper.addWatch`. */
  constructor(
    /** The watched path, as the caller named it (chroot not applied). */
    readonly path: string,
    readonly mode: AddWatchMode,
    private readonly detach: () => Promise<void>,
    private readonly signal?: AbortSignal,
  ) {
    signal?.addEventListener('abort', this.onAbort);
  }

  private readonly onAbort = (): void => {
    void this.close().catch(() => undefined);
  };

  /** @internal Delivers one event; called in wire order. */
  deliver(event: PersistentWatchEvent): void {
    if (this.ended) return;
    this.buffered.push(event);
    if (event.type === 'watchLost') this.finish();
    this.wakeAll();
  }

  /** True once the watcher ended: no event arrives after the buffered ones. */
  get closed(): boolean {
    return this.ended;
  }

  /**
   * Stops the watcher and removes the watch from the server when nothing else of this client
   * needs it (see the `persistentWatchRemoval` option). Events already buffered are dropped.
   * Idempotent. Rejects only with an unexpected server error of the removal (such as
   * MarshallingError when `persistentWatchRemoval: 'exact'` meets a server before 3.9).
   */
  close(): Promise<void> {
    this.buffered.length = 0;
    this.finish();
    this.wakeAll();
    this.closing ??= this.detach();
    return this.closing;
  }

  private wakeAll(): void {
    for (const wake of this.waiters.splice(0)) wake();
  }

  private finish(): void {
    this.ended = true;
    this.signal?.removeEventListener('abort', this.onAbort);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  [Symbol.asyncIterator](): AsyncIterator<PersistentWatchEvent> {
    return {
      next: async (): Promise<IteratorResult<PersistentWatchEvent>> => {
        for (;;) {
          const event = this.buffered.shift();
          if (event !== undefined) return { value: event, done: false };
          if (this.ended) return { value: undefined, done: true };
          await new Promise<void>((resolve) => {
            this.waiters.push(resolve);
          });
        }
      },
      return: async (): Promise<IteratorResult<PersistentWatchEvent>> => {
        await this.close();
        return { value: undefined, done: true };
      },
    };
  }
}

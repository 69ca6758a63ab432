import { ClientClosedError, SessionExpiredError } from '../../client/index.js';
import type { Data, ZooKeeper, ZooKeeperState } from '../../client/index.js';
import { LeaseLostError, LockTimeoutError } from './errors.js';
import { deleteUntilGone } from './lease.js';
import { queueOrder } from './node-names.js';
import type { Participant } from './node-names.js';
import { protectedCreate } from './protected-create.js';
import type { CreatedNode } from './protected-create.js';

/** How one kind of lock reads the queue (Curator's "lock internals driver"). */
export interface LockDriver {
  /** Our node's name before the sequence number, e.g. `lock-`. */
  readonly nodeName: string;
  /**
   * The node names (before the sequence number) that take part in this lock's queue: ours first,
   * then those of other libraries that contend on the same path.
   */
  readonly markers: readonly string[];
  /** Undefined when the node at `ourIndex` holds the lock; else the name of the node to wait for. */
  readonly blocker: (queue: readonly Participant[], ourIndex: number) => string | undefined;
}

export interface WaitOptions {
  /** Give up after this many ms (LockTimeoutError). Absent: wait as long as it takes. */
  readonly timeout?: number;
  /** Give up when this aborts (rejecting with its reason). */
  readonly signal?: AbortSignal;
  /** Told our place in the queue (0 = holding) each time it changes. */
  readonly onPosition?: (position: number) => void;
}

/**
 * Queues for a lock at `path` and waits, watching only the node we are blocked by (no herd),
 * until we hold it. With `wait: false`, leaves the queue at once when not first. A waiter that
 * gives up (timeout, abort, session loss) deletes its node, so the queue moves on.
 */
export async function acquireNode(
  zk: ZooKeeper,
  path: string,
  driver: LockDriver,
  data: Data,
  options: WaitOptions & { readonly wait: boolean },
): Promise<CreatedNode | undefined> {
  const give = new GiveUp(zk, path, options);
  let node: CreatedNode | undefined;
  try {
    const creating = protectedCreate(zk, path, driver.nodeName, data, () => {
      give.check();
    });
    node = await give.race(creating).catch((error: unknown) => {
      // We stopped waiting, but the create may still complete: its node must not stay behind.
      void creating.then((late) => deleteUntilGone(zk, late.path)).catch(() => undefined);
      throw error;
    });
    let lastPosition = -1;
    for (;;) {
      give.check();
      const { children } = await give.race(zk.getChildren(path));
      give.check();
      const queue = queueOrder(children, driver.markers);
      const ourIndex = queue.findIndex((p) => p.name === node?.name);
      if (ourIndex === -1) throw new LeaseLostError(node.path, 'nodeDeleted');
      const blocker = driver.blocker(queue, ourIndex);
      const position = blocker === undefined ? 0 : ourIndex;
      if (position !== lastPosition) options.onPosition?.(position);
      lastPosition = position;
      if (blocker === undefined) return node;
      if (!options.wait) {
        await deleteUntilGone(zk, node.path);
        return undefined;
      }
      const { stat, watch } = await give.race(zk.exists(`${path}/${blocker}`, { watch: true }));
      if (stat === null) continue;
      const event = await give.race(watch);
      if (event.type === 'watchLost') give.check();
    }
  } catch (error) {
    if (node !== undefined) void deleteUntilGone(zk, node.path).catch(() => undefined);
    throw give.reason() ?? error;
  } finally {
    give.dispose();
  }
}

/**
 * Everything that ends a wait: the caller's signal, the timeout, and the session ending (lost or
 * closed), which would leave our queue node behind.
 */
class GiveUp {
  private readonly controller = new AbortController();
  private readonly timer: NodeJS.Timeout | undefined;
  private readonly onState: (state: ZooKeeperState) => void;
  private readonly onAbort: () => void;

  constructor(
    private readonly zk: ZooKeeper,
    path: string,
    private readonly options: WaitOptions,
  ) {
    const timeout = options.timeout;
    if (timeout !== undefined) {
      this.timer = setTimeout(() => {
        this.controller.abort(new LockTimeoutError(path, timeout));
      }, timeout);
    }
    this.onAbort = () => {
      this.controller.abort(options.signal?.reason);
    };
    options.signal?.addEventListener('abort', this.onAbort);
    if (options.signal?.aborted === true) this.onAbort();
    const sessionId = zk.sessionId;
    this.onState = (state) => {
      if (state === 'lost') this.controller.abort(new SessionExpiredError(path));
      if (state === 'closed') this.controller.abort(new ClientClosedError());
      if (state === 'connected' && zk.sessionId !== sessionId)
        this.controller.abort(new SessionExpiredError(path));
    };
    zk.on('state', this.onState);
  }

  /** Why we gave up, if we did. */
  reason(): unknown {
    return this.controller.signal.aborted ? this.controller.signal.reason : undefined;
  }

  check(): void {
    if (this.controller.signal.aborted) throw this.controller.signal.reason;
  }

  /** The promise's value, or a rejection as soon as we give up. */
  race<T>(promise: Promise<T>): Promise<T> {
    const signal = this.controller.signal;
    return new Promise<T>((resolve, reject) => {
      const onAbort = (): void => {
        // The caller's own abort reason, whatever it is, as the AbortSignal contract has it.
        // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors
        reject(signal.reason);
      };
      if (signal.aborted) onAbort();
      signal.addEventListener('abort', onAbort, { once: true });
      promise.then(resolve, reject).finally(() => {
        signal.removeEventListener('abort', onAbort);
      });
    });
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.options.signal?.removeEventListener('abort', this.onAbort);
    this.zk.off('state', this.onState);
  }
}

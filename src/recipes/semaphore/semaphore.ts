import type { Data, ZooKeeper } from '../../client/index.js';
import { InvalidArgumentError, validatePath } from '../../client/index.js';
import { readThrough } from '../internal/connection-trouble.js';
import { LeaseLostError } from '../internal/errors.js';
import { GiveUp, validateTimeout } from '../internal/give-up.js';
import type { AcquireOptions } from '../internal/give-up.js';
import { holderData } from '../internal/holder-data.js';
import { describeQueue } from '../internal/introspection.js';
import type { QueueEntry } from '../internal/introspection.js';
import { deleteUntilGone, Lease, validateLostOn } from '../internal/lease.js';
import type { LostOn } from '../internal/lease.js';
import { acquireNode, createNode } from '../internal/lock-queue.js';
import type { LockDriver } from '../internal/lock-queue.js';
import { mutexDriver } from '../internal/mutex-driver.js';
import type { CreatedNode } from '../internal/protected-create.js';
import type { LockOptions } from '../internal/queue-lock.js';
import { traceAcquire } from '../internal/lock-diagnostics.js';
import { withLease } from '../internal/lock-lease.js';

export interface SemaphoreOptions extends LockOptions {
  /** How many may hold a lease at once: a positive integer, the same in every process on the path. */
  readonly leases: number;
}

/** Curator's InterProcessSemaphoreV2 layout. */
const LOCKS = 'locks';
const LEASES = 'leases';
const LEASE_NAME = 'lease-';

/**
 * For introspection only: in sequence order the first `leases` nodes hold, since a lease node is
 * only ever created by the one waiter holding the internal mutex, and it comes last.
 */
function leaseDriver(leases: number): LockDriver {
  return {
    nodeName: LEASE_NAME,
    markers: [LEASE_NAME],
    blocker: (queue, ourIndex) => (ourIndex < leases ? undefined : queue[ourIndex - leases]?.name),
  };
}

/**
 * A fair, herd-free distributed counting semaphore in the layout of Curator's
 * InterProcessSemaphoreV2: waiters queue on a mutex at `<path>/locks`; its holder creates its
 * lease node `<path>/leases/_c_<uuid>-lease-<seq>` and, while more than N nodes are in `leases`,
 * waits for a change there (only it watches `leases`); then it lets go of the mutex. Every node
 * in `leases` uses up a lease, as Curator counts them.
 *
 * ```ts
 * const pool = new Semaphore(zk, '/limits/db-export', { leases: 3 });
 * await pool.withLease(async (lease) => exportTable(lease.signal), { timeout: 60_000 });
 * ```
 */
export class Semaphore {
  readonly leases: number;
  private readonly lostOn: LostOn;
  private readonly data: Data;
  private readonly locksPath: string;
  private readonly leasesPath: string;

  constructor(
    private readonly zk: ZooKeeper,
    readonly path: string,
    options: SemaphoreOptions,
  ) {
    validatePath(path);
    const leases: unknown = options.leases;
    if (typeof leases !== 'number' || !Number.isSafeInteger(leases) || leases < 1) {
      throw new InvalidArgumentError(`leases must be a positive integer, got ${String(leases)}`);
    }
    this.leases = leases;
    this.lostOn = validateLostOn(options.lostOn);
    this.data = options.data ?? holderData(options.id);
    this.locksPath = `${path === '/' ? '' : path}/${LOCKS}`;
    this.leasesPath = `${path === '/' ? '' : path}/${LEASES}`;
  }

  /**
   * Waits for a lease and resolves with it (its node is in `leases/`, its fencing token that
   * node's czxid). Rejects like Mutex.acquire; neither a lease node nor the internal mutex node is
   * left behind.
   */
  async acquire(options: AcquireOptions = {}): Promise<Lease> {
    validateTimeout(options.timeout);
    return traceAcquire(this.path, async () => {
      const node = await this.take(options, true);
      if (node === undefined) throw new Error('unreachable: a waiting acquire returned no node');
      return this.leaseOn(node);
    });
  }

  /** A lease if one is free and nobody is waiting for one; otherwise undefined at once. */
  tryAcquire(): Promise<Lease | undefined> {
    return traceAcquire(this.path, async () => {
      const node = await this.take({}, false);
      return node === undefined ? undefined : this.leaseOn(node);
    });
  }

  /** Runs `fn` while holding a lease and always releases it, also when `fn` throws. */
  async withLease<T>(
    fn: (lease: Lease) => Promise<T> | T,
    options: AcquireOptions = {},
  ): Promise<T> {
    return withLease(() => this.acquire(options), fn);
  }

  /** The lease nodes in order with their data; `holds` is false only for one still waiting. */
  participants(): Promise<QueueEntry[]> {
    return describeQueue(this.zk, this.leasesPath, leaseDriver(this.leases));
  }

  private leaseOn(node: CreatedNode): Lease {
    return new Lease(this.zk, node, this.lostOn);
  }

  private async take(options: AcquireOptions, wait: boolean): Promise<CreatedNode | undefined> {
    const give = new GiveUp(this.zk, this.path, options);
    let mutex: CreatedNode | undefined;
    let lease: CreatedNode | undefined;
    try {
      const queued = await acquireNode(this.zk, this.locksPath, mutexDriver, this.data, {
        signal: give.signal,
        wait,
      });
      if (queued === undefined) return undefined;
      // The internal mutex is held only for this step; nobody needs to hear of its deletion.
      queued.ownNode.stop();
      mutex = queued.node;
      lease = await createNode(this.zk, this.leasesPath, LEASE_NAME, this.data, give);
      if (!(await this.waitForRoom(lease, give, wait))) {
        await deleteUntilGone(this.zk, lease.path, lease.stat.ephemeralOwner);
        lease = undefined;
      }
      // Before we return, so that the next waiter goes on at once.
      await deleteUntilGone(this.zk, mutex.path, mutex.stat.ephemeralOwner);
      // The session may have been lost while we deleted: then our lease node went with it.
      give.check();
      return lease;
    } catch (error) {
      // The lease node first: the next mutex holder would count it.
      const left = [lease, mutex].filter((node) => node !== undefined);
      void deleteInTurn(this.zk, left).catch(() => undefined);
      throw give.reason() ?? error;
    } finally {
      give.dispose();
    }
  }

  /** Whether at most N lease nodes exist, ours among them; with `wait`, waits until they do. */
  private async waitForRoom(lease: CreatedNode, give: GiveUp, wait: boolean): Promise<boolean> {
    for (;;) {
      const listing = await readThrough(give, () =>
        this.zk.getChildren(this.leasesPath, { watch: wait }),
      );
      give.check();
      if (!listing.children.includes(lease.name)) {
        throw new LeaseLostError(lease.path, 'nodeDeleted');
      }
      if (listing.children.length <= this.leases) return true;
      if (!('watch' in listing)) return false;
      const event = await give.race(listing.watch);
      if (event.type === 'watchLost') give.check();
    }
  }
}

async function deleteInTurn(zk: ZooKeeper, nodes: readonly CreatedNode[]): Promise<void> {
  for (const node of nodes) await deleteUntilGone(zk, node.path, node.stat.ephemeralOwner);
}

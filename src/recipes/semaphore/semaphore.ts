import type { Data, ZooKeeper } from '../../client/index.js';
import { InvalidArgumentError, validatePath } from '../../client/index.js';
import { readThrough } from '../coordination/connection-trouble.js';
import { LeaseLostError } from '../coordination/errors.js';
import { GiveUp, validateTimeout } from '../coordination/give-up.js';
import type { AcquireOptions } from '../coordination/give-up.js';
import { holderData } from '../lock-core/holder-data.js';
import { describeQueue } from '../lock-core/introspection.js';
import type { QueueEntry } from '../lock-core/introspection.js';
import { deleteUntilGone } from '../coordination/delete-owned.js';
import { validateLostOn } from '../coordination/hold-policy.js';
import type { LostOn } from '../coordination/hold-policy.js';
import { Lease } from '../lock-core/node-lease.js';
import { acquireNode, createNode } from '../lock-core/queue-wait.js';
import type { LockDriver } from '../lock-core/lock-driver.js';
import { MultiLease } from '../lock-core/multi-lease.js';
import { mutexDriver } from '../lock-core/mutex-driver.js';
import type { CreatedNode } from '../coordination/protected-create.js';
import type { LockOptions } from '../lock-core/queue-lock.js';
import { traceAcquireAll } from '../lock-core/lock-diagnostics.js';
import { withLease } from '../lock-core/lock-lease.js';
import { checkLeasesRecord } from './leases-record.js';

export interface SemaphoreOptions extends LockOptions {
  /**
   * How many leases may be held at once: a positive integer, the same in every process on the
   * path (it is recorded in the path's data, and another count is refused).
   */
  readonly leases: number;
}

/** How many leases to take at once, besides how long to wait for them. */
export interface SemaphoreAcquireOptions extends AcquireOptions {
  /** All or none, released together: a positive integer ≤ `leases` (default 1). */
  readonly count?: number;
}

/** Options that take one lease, whose hold is a plain Lease. */
type OneLease = AcquireOptions & { readonly count?: 1 };

/** Curator's InterProcessSemaphoreV2 layout. */
const LOCKS = 'locks';
const LEASES = 'leases';
const LEASE_NAME = 'lease-';

/**
 * For introspection only: in sequence order the first `leases` nodes hold, since lease nodes are
 * only ever created by the one waiter holding the internal mutex, and they come last. A waiter
 * taking several (`count`) cannot be told from holders by its nodes alone: those of its nodes
 * that fall among the first N are reported as holding.
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
 * lease nodes `<path>/leases/_c_<uuid>-lease-<seq>` (one, or `count`) and, while more than N
 * nodes are in `leases`, waits for a change there (only it watches `leases`); then it lets go of
 * the mutex. Every node in `leases` uses up a lease, as Curator counts them. N is recorded in the
 * data of `<path>` as kazoo records it, and a Semaphore with another N is refused.
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
   * node's czxid); with `count` > 1, for that many leases at once, held as one MultiLease.
   * Rejects like Mutex.acquire, or with SemaphoreLeasesMismatchError when the path records
   * another lease count; neither a lease node nor the internal mutex node is left behind.
   */
  acquire(options?: OneLease): Promise<Lease>;
  acquire(options: SemaphoreAcquireOptions): Promise<Lease | MultiLease>;
  async acquire(options: SemaphoreAcquireOptions = {}): Promise<Lease | MultiLease> {
    validateTimeout(options.timeout);
    const count = this.validateCount(options.count);
    const leases = await traceAcquireAll(this.path, async () => {
      const nodes = await this.take(options, true, count);
      if (nodes === undefined) throw new Error('unreachable: a waiting acquire returned no node');
      return nodes.map((node) => this.leaseOn(node));
    });
    return holdOf(leases);
  }

  /**
   * `count` leases (default 1) if they are free and nobody is waiting for one; otherwise
   * undefined at once. Rejects with SemaphoreLeasesMismatchError like `acquire`.
   */
  tryAcquire(options?: { readonly count?: 1 }): Promise<Lease | undefined>;
  tryAcquire(options: { readonly count?: number }): Promise<Lease | MultiLease | undefined>;
  async tryAcquire(
    options: { readonly count?: number } = {},
  ): Promise<Lease | MultiLease | undefined> {
    const count = this.validateCount(options.count);
    const leases = await traceAcquireAll(this.path, async () => {
      const nodes = await this.take({}, false, count);
      return nodes?.map((node) => this.leaseOn(node));
    });
    return leases === undefined ? undefined : holdOf(leases);
  }

  /** Runs `fn` while holding the leases and always releases them, also when `fn` throws. */
  withLease<T>(fn: (lease: Lease) => Promise<T> | T, options?: OneLease): Promise<T>;
  withLease<T>(
    fn: (lease: Lease | MultiLease) => Promise<T> | T,
    options: SemaphoreAcquireOptions,
  ): Promise<T>;
  async withLease<T>(
    fn: (lease: Lease) => Promise<T> | T,
    options: SemaphoreAcquireOptions = {},
  ): Promise<T> {
    // Sound: the overloads pair a fn that takes only a Lease with options for one lease, for
    // which acquire resolves with a Lease.
    const run = fn as (lease: Lease | MultiLease) => Promise<T> | T;
    return withLease(() => this.acquire(options), run);
  }

  /** The lease nodes in order with their data; `holds` is true for the first N (see leaseDriver). */
  participants(): Promise<QueueEntry[]> {
    return describeQueue(this.zk, this.leasesPath, leaseDriver(this.leases));
  }

  private validateCount(count: unknown): number {
    if (count === undefined) return 1;
    if (typeof count !== 'number' || !Number.isSafeInteger(count) || count < 1) {
      const got = typeof count === 'number' ? String(count) : typeof count;
      throw new InvalidArgumentError(`count must be a positive integer, got ${got}`);
    }
    if (count > this.leases) {
      throw new InvalidArgumentError(
        `count must be at most leases (${this.leases}) or it could never be had, got ${count}`,
      );
    }
    return count;
  }

  private leaseOn(node: CreatedNode): Lease {
    return new Lease(this.zk, node, this.lostOn);
  }

  /**
   * Takes the internal mutex, creates `count` lease nodes, waits until `leases/` holds at most N
   * nodes (ours among them) and lets go of the mutex; with `wait: false`, gives up instead of
   * waiting. Resolves with our lease nodes, or undefined when it gave up.
   *
   * The lease count recorded in the path is read twice, each time in the same tick as requests
   * we send anyway, so it costs no round trip: beside the mutex create, to refuse a mismatch
   * before we wait in the queue (a tryAcquire too); and beside the lease creates, the read that
   * counts, since our mutex node now keeps the path from being reaped and re-created with
   * another count before our lease nodes exist.
   */
  private async take(
    options: AcquireOptions,
    wait: boolean,
    count: number,
  ): Promise<CreatedNode[] | undefined> {
    const give = new GiveUp(this.zk, this.path, options);
    // A refused record ends our wait in the mutex queue at once.
    const refused = new AbortController();
    let mutex: CreatedNode | undefined;
    const leases: CreatedNode[] = [];
    try {
      const queuing = acquireNode(this.zk, this.locksPath, mutexDriver, this.data, {
        signal: AbortSignal.any([give.signal, refused.signal]),
        wait,
      });
      // After the mutex create: when that create succeeds, the read sees the path it is in.
      const checking = this.checkRecord(give).catch((error: unknown) => {
        refused.abort(error);
        throw error;
      });
      const [queued, checked] = await Promise.allSettled([queuing, checking]);
      if (queued.status === 'fulfilled' && queued.value !== undefined) {
        // The internal mutex is held only for this step; nobody needs to hear of its deletion.
        queued.value.ownNode.stop();
        mutex = queued.value.node;
      }
      if (checked.status === 'rejected') throw checked.reason;
      if (queued.status === 'rejected') throw queued.reason;
      if (mutex === undefined) return undefined;

      const creating = Array.from({ length: count }, () =>
        createNode(this.zk, this.leasesPath, LEASE_NAME, this.data, give),
      );
      const [confirmed, ...created] = await Promise.allSettled([
        this.checkRecord(give),
        ...creating,
      ]);
      for (const result of created) if (result.status === 'fulfilled') leases.push(result.value);
      if (confirmed.status === 'rejected') throw confirmed.reason;
      const failed = created.find((result) => result.status === 'rejected');
      if (failed !== undefined) throw failed.reason;

      const room = await this.waitForRoom(leases, give, wait);
      // Before the mutex goes: the next mutex holder would count them.
      if (!room) await deleteAll(this.zk, leases.splice(0));
      // Before we return, so that the next waiter goes on at once.
      await deleteUntilGone(this.zk, mutex.path, mutex.stat.ephemeralOwner);
      // The session may have been lost while we deleted: then our lease nodes went with it.
      give.check();
      return room ? leases : undefined;
    } catch (error) {
      // The lease nodes first: the next mutex holder would count them.
      void deleteAll(this.zk, leases)
        .then(() =>
          mutex === undefined
            ? undefined
            : deleteUntilGone(this.zk, mutex.path, mutex.stat.ephemeralOwner),
        )
        .catch(() => undefined);
      throw give.reason() ?? error;
    } finally {
      give.dispose();
    }
  }

  private checkRecord(give: GiveUp): Promise<void> {
    return checkLeasesRecord(this.zk, this.path, this.leases, give);
  }

  /** Whether at most N lease nodes exist, ours among them; with `wait`, waits until they do. */
  private async waitForRoom(
    ours: readonly CreatedNode[],
    give: GiveUp,
    wait: boolean,
  ): Promise<boolean> {
    for (;;) {
      const listing = await readThrough(give, () =>
        this.zk.getChildren(this.leasesPath, { watch: wait }),
      );
      give.check();
      const present = new Set(listing.children);
      const gone = ours.find((lease) => !present.has(lease.name));
      if (gone !== undefined) throw new LeaseLostError(gone.path, 'nodeDeleted');
      if (listing.children.length <= this.leases) return true;
      if (!('watch' in listing)) return false;
      const event = await give.race(listing.watch);
      if (event.type === 'watchLost') give.check();
    }
  }
}

/** One lease as itself; several as one MultiLease, released last first. */
function holdOf(leases: readonly Lease[]): Lease | MultiLease {
  const [only] = leases;
  return leases.length === 1 && only !== undefined ? only : new MultiLease(leases);
}

async function deleteAll(zk: ZooKeeper, nodes: readonly CreatedNode[]): Promise<void> {
  await Promise.all(nodes.map((node) => deleteUntilGone(zk, node.path, node.stat.ephemeralOwner)));
}

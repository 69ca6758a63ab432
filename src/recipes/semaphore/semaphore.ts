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
import { checkLeasesRecord } from './leases-record.js';

export interface SemaphoreOptions extends LockOptions {
  /**
   * How many leases may be held at once: a positive integer, the same in every process on the
   * path (it is recorded in the path's data, and another count is refused).
   */
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
 * in `leases` uses up a lease, as Curator counts them. N is recorded in the data of `<path>` as
 * kazoo records it, and a Semaphore with another N is refused.
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
   * node's czxid). Rejects like Mutex.acquire, or with SemaphoreLeasesMismatchError when the path
   * records another lease count; neither a lease node nor the internal mutex node is left behind.
   */
  async acquire(options: AcquireOptions = {}): Promise<Lease> {
    validateTimeout(options.timeout);
    return traceAcquire(this.path, async () => {
      const node = await this.take(options, true);
      if (node === undefined) throw new Error('unreachable: a waiting acquire returned no node');
      return this.leaseOn(node);
    });
  }

  /**
   * A lease if one is free and nobody is waiting for one; otherwise undefined at once. Rejects
   * with SemaphoreLeasesMismatchError like `acquire`.
   */
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
    return new Lease(this.zk, { path: node.path, czxid: node.stat.czxid }, this.lostOn);
  }

  /**
   * Takes the internal mutex, creates our lease node, waits until `leases/` holds at most N nodes
   * (ours among them) and lets go of the mutex; with `wait: false`, gives up instead of waiting.
   * Resolves with our lease node, or undefined when it gave up.
   *
   * The lease count recorded in the path is read twice, each time in the same tick as a request
   * we send anyway, so it costs no round trip: beside the mutex create, to refuse a mismatch
   * before we wait in the queue (a tryAcquire too); and beside the lease create, the read that
   * counts, since our mutex node now keeps the path from being reaped and re-created with
   * another count before our lease node exists.
   */
  private async take(options: AcquireOptions, wait: boolean): Promise<CreatedNode | undefined> {
    const give = new GiveUp(this.zk, this.path, options);
    // A refused record ends our wait in the mutex queue at once.
    const refused = new AbortController();
    let mutex: CreatedNode | undefined;
    let lease: CreatedNode | undefined;
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

      const creating = createNode(this.zk, this.leasesPath, LEASE_NAME, this.data, give);
      const [confirmed, created] = await Promise.allSettled([this.checkRecord(give), creating]);
      if (created.status === 'fulfilled') lease = created.value;
      if (confirmed.status === 'rejected') throw confirmed.reason;
      if (created.status === 'rejected') throw created.reason;

      if (!(await this.waitForRoom(created.value, give, wait))) {
        await deleteUntilGone(this.zk, created.value.path);
        lease = undefined;
      }
      // Before we return, so that the next waiter goes on at once.
      await deleteUntilGone(this.zk, mutex.path);
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

  private checkRecord(give: GiveUp): Promise<void> {
    return checkLeasesRecord(this.zk, this.path, this.leases, give);
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
  for (const node of nodes) await deleteUntilGone(zk, node.path);
}

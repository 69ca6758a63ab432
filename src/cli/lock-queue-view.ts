import type { ZooKeeper } from '../index.js';
import { Mutex, ReadWriteLock, Semaphore } from '../recipes/index.js';
import type { QueueEntry } from '../recipes/index.js';

/** What `zkcoord locks` reads of a lock path: its queue, holders first, through the recipes. */

export const LOCK_KINDS = ['mutex', 'read-write', 'semaphore'] as const;
export type LockKindName = (typeof LOCK_KINDS)[number];

/** Who made a node, as far as its name and data tell. */
export type NodeClient = 'zkcoord' | 'curator' | 'kazoo' | 'other';

export interface LockQueueEntry {
  readonly state: 'holds' | 'waits';
  /** Read/write locks only. */
  readonly role: 'read' | 'write' | undefined;
  readonly client: NodeClient;
  readonly entry: QueueEntry;
}

export interface LockQueueView {
  readonly path: string;
  readonly kind: LockKindName;
  /** Semaphores: the number of leases, when given (it is stored nowhere). */
  readonly leases: number | undefined;
  readonly queue: readonly LockQueueEntry[];
}

/** Curator's (and our) semaphore layout: lease nodes and the waiters' internal mutex. */
const SEMAPHORE_CHILDREN = ['leases', 'locks'];
const READ_WRITE_NODE = /(?:__READ__|__WRIT__)-?\d{10}$/;
const WRITER_NODE = /__WRIT__-?\d{10}$/;
/** kazoo's node names: a uuid4 in hex, then its node name (or Curator's, configured). */
const KAZOO_NODE = /^[0-9a-f]{32}(?:__lock__|__rlock__|-lock-)/;

/** The kind of lock whose nodes are `children`, from their names; a path without any is a mutex. */
export function detectKind(children: readonly string[]): LockKindName {
  if (children.some((name) => SEMAPHORE_CHILDREN.includes(name))) return 'semaphore';
  if (children.some((name) => READ_WRITE_NODE.test(name))) return 'read-write';
  return 'mutex';
}

/**
 * The queue at `path` (NoNodeError when there is no such node). `kind` undefined: detected from
 * the children's names. Nodes that come or go meanwhile may or may not be in it.
 */
export async function readLockQueue(
  zk: ZooKeeper,
  path: string,
  kind: LockKindName | undefined,
  leases: number | undefined,
): Promise<LockQueueView> {
  const { children } = await zk.getChildren(path);
  const chosen = kind ?? detectKind(children);
  const queue = await entriesOf(zk, path, chosen, leases);
  return { path, kind: chosen, leases: chosen === 'semaphore' ? leases : undefined, queue };
}

async function entriesOf(
  zk: ZooKeeper,
  path: string,
  kind: LockKindName,
  leases: number | undefined,
): Promise<LockQueueEntry[]> {
  switch (kind) {
    case 'mutex':
      return (await new Mutex(zk, path).participants()).map((entry) => view(entry, undefined));
    case 'read-write': {
      // Both halves list the same queue with the same rule for who holds.
      const entries = await new ReadWriteLock(zk, path).readLock.participants();
      return entries.map((entry) => view(entry, WRITER_NODE.test(entry.name) ? 'write' : 'read'));
    }
    case 'semaphore':
      return semaphoreEntries(zk, path, leases);
  }
}

/**
 * Lease nodes are the holders; the waiters queue on the internal mutex at `<path>/locks`. The
 * first waiter makes its lease node before it knows there is room, so without `leases` the last
 * lease node counts as that waiter's (and is left out) when it belongs to its session; with
 * `leases`, lease nodes past the first N are.
 */
async function semaphoreEntries(
  zk: ZooKeeper,
  path: string,
  leases: number | undefined,
): Promise<LockQueueEntry[]> {
  const base = path === '/' ? '' : path;
  const [held, waiting] = await Promise.all([
    new Semaphore(zk, path, { leases: leases ?? Number.MAX_SAFE_INTEGER }).participants(),
    new Mutex(zk, `${base}/locks`).participants(),
  ]);
  const head = waiting[0];
  const last = held.at(-1);
  const headsLease =
    leases === undefined &&
    head !== undefined &&
    last !== undefined &&
    last.stat.ephemeralOwner === head.stat.ephemeralOwner;
  const holders = held.filter((entry) => entry.holds && !(headsLease && entry === last));
  return [
    ...holders.map((entry) => view(entry, undefined)),
    ...waiting.map((entry) => ({ ...view(entry, undefined), state: 'waits' as const })),
  ];
}

function view(entry: QueueEntry, role: 'read' | 'write' | undefined): LockQueueEntry {
  return { state: entry.holds ? 'holds' : 'waits', role, client: clientOf(entry), entry };
}

function clientOf({ name, data }: QueueEntry): NodeClient {
  if (KAZOO_NODE.test(name)) return 'kazoo';
  if (!name.startsWith('_c_')) return 'other';
  // Our default node data; Curator's is the client's IP address.
  try {
    const parsed: unknown = JSON.parse(data.toString('utf8'));
    if (
      typeof parsed === 'object' &&
      parsed !== null &&
      'host' in parsed &&
      'pid' in parsed &&
      typeof parsed.pid === 'number'
    ) {
      return 'zkcoord';
    }
  } catch {
    // Not JSON: not ours.
  }
  return 'curator';
}

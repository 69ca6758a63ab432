import { UsageError } from './args.js';
import { defineCommand, noMoreArguments, pathArgument } from './define-command.js';
import { LOCK_KINDS, readLockQueue } from './lock-queue-view.js';
import type { LockKindName, LockQueueEntry, LockQueueView } from './lock-queue-view.js';

/** `locks`: who holds a lock and who waits, whichever library made the nodes. */

const DATA_WIDTH = 60;

export const locks = defineCommand({
  name: 'locks',
  synopsis: 'locks [--kind mutex|read-write|semaphore] [--leases N] <path>',
  help: `Shows the queue of the lock at <path>, holders first, then the waiters in the order they
will get it: Mutex, ReadWriteLock and Semaphore of zkcoord and Curator, and kazoo's Lock.
Prints "free" when nobody holds or waits. Exit 66 when <path> does not exist.

Options:
  --kind <kind>            mutex, read-write or semaphore; default: told by the node names
  --leases <N>             a semaphore's number of leases (stored nowhere): which lease nodes
                           hold; without it the first waiter's own lease node is left out
Columns: position, state (holds or waits), role (read/write locks), the node's session (hex,
as ZooKeeper logs it), age (since the node was created, by this machine's clock), the client
that made it (zkcoord, curator, kazoo, other: a guess from the name and data), the node and its
data (what the contender says about itself).
Output with --json: {"path","kind","leases","free","queue":[{"position","state","role","node",
"sequence","session","ctime","ageMs","client","data","dataBase64"}]}; see docs/cli.md.`,
  valued: ['kind', 'leases'],
  json: true,
  plan: ({ positionals, flags }) => {
    noMoreArguments(positionals, 1);
    return {
      path: pathArgument(positionals[0]),
      kind: kindFlag(flags.get('kind')),
      leases: leasesFlag(flags.get('leases')),
    };
  },
  async run(zk, { path, kind, leases }, io) {
    const view = await readLockQueue(zk, path, kind, leases);
    const now = Date.now();
    io.output(queueJson(view, now), queueText(view, now));
  },
});

function kindFlag(text: string | undefined): LockKindName | undefined {
  if (text === undefined) return undefined;
  const kind = LOCK_KINDS.find((name) => name === text);
  if (kind === undefined) {
    throw new UsageError(
      `--kind takes one of ${LOCK_KINDS.join(', ')}, got ${JSON.stringify(text)}`,
    );
  }
  return kind;
}

function leasesFlag(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const leases = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(leases) || leases < 1) {
    throw new UsageError(`--leases takes a number of 1 or more, got ${JSON.stringify(text)}`);
  }
  return leases;
}

const sessionHex = (session: bigint): string => `0x${session.toString(16)}`;
const ageMs = (ctime: bigint, now: number): number => Math.max(0, now - Number(ctime));

/** The data as text when it is UTF-8, else null (dataBase64 has it). */
function dataString(data: Buffer): string | null {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(data);
  } catch {
    return null;
  }
}

function queueJson(view: LockQueueView, now: number): unknown {
  return {
    path: view.path,
    kind: view.kind,
    leases: view.leases ?? null,
    free: view.queue.length === 0,
    queue: view.queue.map(({ state, role, client, entry }, index) => ({
      position: index + 1,
      state,
      role: role ?? null,
      node: entry.name,
      sequence: entry.sequence,
      session: sessionHex(entry.stat.ephemeralOwner),
      ctime: new Date(Number(entry.stat.ctime)).toISOString(),
      ageMs: ageMs(entry.stat.ctime, now),
      client,
      data: dataString(entry.data),
      dataBase64: entry.data.toString('base64'),
    })),
  };
}

/** `1m05s`-style: the two largest units. */
export function ageText(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  const pad = (n: number): string => String(n).padStart(2, '0');
  if (minutes < 60) return `${minutes}m${pad(seconds % 60)}s`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `${hours}h${pad(minutes % 60)}m`;
  return `${Math.floor(hours / 24)}d${pad(hours % 24)}h`;
}

/** Data on one line of bounded width: text as it is (control characters escaped), else hex. */
function dataCell(data: Buffer): string {
  const text = dataString(data);
  const shown =
    text === null
      ? `0x${data.toString('hex')}`
      : // eslint-disable-next-line no-control-regex
        text.replace(/[\u0000-\u001f\u007f]/g, (c) => JSON.stringify(c).slice(1, -1));
  return shown.length > DATA_WIDTH ? `${shown.slice(0, DATA_WIDTH - 1)}…` : shown;
}

function summary(view: LockQueueView): string {
  const holders = view.queue.filter((row) => row.state === 'holds').length;
  const waiters = view.queue.length - holders;
  const kind =
    view.kind === 'semaphore' && view.leases !== undefined
      ? `semaphore of ${view.leases}`
      : view.kind;
  const held = holders === 0 ? 'not held' : `${holders} ${holders === 1 ? 'holder' : 'holders'}`;
  return `${view.path} (${kind}): ${held}, ${waiters} waiting`;
}

function queueText(view: LockQueueView, now: number): string {
  if (view.queue.length === 0) return 'free';
  const readWrite = view.kind === 'read-write';
  const header = [
    '#',
    'STATE',
    ...(readWrite ? ['ROLE'] : []),
    'SESSION',
    'AGE',
    'CLIENT',
    'NODE',
    'DATA',
  ];
  const rows = view.queue.map((row: LockQueueEntry, index) => [
    String(index + 1),
    row.state,
    ...(readWrite ? [row.role ?? ''] : []),
    sessionHex(row.entry.stat.ephemeralOwner),
    ageText(ageMs(row.entry.stat.ctime, now)),
    row.client,
    row.entry.name,
    dataCell(row.entry.data),
  ]);
  return `${summary(view)}\n${table([header, ...rows])}`;
}

/** Columns padded to their widest cell, two spaces apart; the last one is not padded. */
function table(rows: readonly (readonly string[])[]): string {
  const widths = rows[0]?.map((_, column) =>
    Math.max(...rows.map((row) => (row[column] ?? '').length)),
  );
  return rows
    .map((row) =>
      row
        .map((cell, column) =>
          column === row.length - 1 ? cell : cell.padEnd(widths?.[column] ?? 0),
        )
        .join('  '),
    )
    .join('\n');
}

/**
 * The client's memory for many one-shot watches and for many queued lock waiters:
 *
 *   npm run bench:memory                  (starts a local server from zkcoord/testing)
 *   node --expose-gc dist-bench/bench/memory.js 127.0.0.1:2181   (or against a running one)
 *
 * Each case reads the heap after full collections before and after, with everything the case
 * made still reachable, and divides by the count. MEM_WATCHES (100,000) and MEM_WAITERS (1,000)
 * change the counts. The server's `wchs` confirms the watches really are on the server.
 */
import type { ZooKeeper } from '../src/index.js';
import { ZooKeeper as Client } from '../src/index.js';
import { Mutex } from '../src/recipes/index.js';
import type { Lease } from '../src/recipes/index.js';
import { fourLetterWord, ZooKeeperServer } from '../src/testing/index.js';
import { P } from './common.js';
import { deleteTree } from './zk-helpers.js';

const WATCHES = Number.parseInt(process.env.MEM_WATCHES ?? '100000', 10);
const WAITERS = Number.parseInt(process.env.MEM_WAITERS ?? '1000', 10);

const gc = (globalThis as { gc?: () => void }).gc;

interface Heap {
  readonly heapUsed: number;
  /** Buffers and other memory outside the JS heap. */
  readonly external: number;
}

/** The heap after collections have nothing more to free (weak callbacks and finalizers run). */
async function settledHeap(): Promise<Heap> {
  for (let i = 0; i < 4; i++) {
    gc!();
    await new Promise((resolve) => setImmediate(resolve));
  }
  const m = process.memoryUsage();
  return { heapUsed: m.heapUsed, external: m.external };
}

interface Row {
  readonly name: string;
  readonly count: number;
  readonly before: Heap;
  readonly after: Heap;
  readonly check: string;
}

/** The `Total watches:` of the server's `wchs`, to show the watches exist there. */
async function serverWatches(connectString: string): Promise<string> {
  const [host, port] = connectString.split(',')[0]!.split('/')[0]!.split(':');
  try {
    const out = await fourLetterWord(host!, Number.parseInt(port!, 10), 'wchs', {
      timeoutMs: 10_000,
    });
    return /Total watches:\s*(\d+)/.exec(out)?.[1] ?? 'unknown';
  } catch {
    return 'unreadable';
  }
}

/** WATCHES exists-watches on distinct absent nodes, issued with at most 1,000 outstanding. */
async function watches(zk: ZooKeeper, connectString: string, base: string): Promise<Row> {
  const held = new Array<Promise<unknown> | undefined>(WATCHES).fill(undefined);
  const before = await settledHeap();
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < WATCHES) {
      const i = next++;
      // The caller keeps the watch promise (to await the event) and drops the rest of the reply.
      held[i] = (await zk.exists(`${base}/absent-${i}`, { watch: true })).watch;
    }
  };
  await Promise.all(Array.from({ length: Math.min(P.WINDOW, WATCHES) }, worker));
  const after = await settledHeap();
  const check = `server: ${await serverWatches(connectString)} watches`;
  if (held.some((w) => w === undefined)) throw new Error('a watch was not set');
  return {
    name: 'one-shot watches (exists on absent nodes)',
    count: WATCHES,
    before,
    after,
    check,
  };
}

/** One held lock and WAITERS Mutex instances of the same session queued behind it. */
async function waiters(zk: ZooKeeper, connectString: string, base: string): Promise<Row> {
  const lockPath = `${base}/lock`;
  const holder: Lease = await new Mutex(zk, lockPath).acquire();
  const before = await settledHeap();
  let queued = 0;
  let allQueued: () => void = () => undefined;
  const queuedAll = new Promise<void>((resolve) => (allQueued = resolve));
  const pending = Array.from({ length: WAITERS }, () =>
    new Mutex(zk, lockPath)
      .acquire({
        onPosition: (position) => {
          if (position > 0 && ++queued === WAITERS) allQueued();
        },
      })
      .then((lease) => lease.release()),
  );
  await queuedAll;
  // Each waiter sets its watch right after learning its place; a later request on the same
  // session is answered after those, so once it returns every watch is in place.
  await zk.exists('/');
  const after = await settledHeap();
  const check = `server: ${await serverWatches(connectString)} watches`;
  await holder.release();
  await Promise.all(pending);
  return { name: 'queued lock waiters (Mutex, one session)', count: WAITERS, before, after, check };
}

function kib(bytes: number): string {
  return (bytes / 1024).toLocaleString('en-US', { maximumFractionDigits: 0 });
}

function print(rows: readonly Row[]): void {
  process.stdout.write(
    `Client memory: node ${process.version}; heap after full GCs, before and after, with ` +
      `everything the case made still reachable.\n\n`,
  );
  process.stdout.write(
    '| case | count | heap Δ KiB | heap bytes / item | external Δ KiB | server check |\n',
  );
  process.stdout.write('|---|---:|---:|---:|---:|---|\n');
  for (const r of rows) {
    const heap = r.after.heapUsed - r.before.heapUsed;
    const ext = r.after.external - r.before.external;
    process.stdout.write(
      `| ${r.name} | ${r.count.toLocaleString('en-US')} | ${kib(heap)} | ` +
        `${Math.round(heap / r.count).toLocaleString('en-US')} | ${kib(ext)} | ${r.check} |\n`,
    );
  }
}

/** Runs one case on a session of its own, so that nothing of one case is in the other's heap. */
async function inSession(
  connectString: string,
  base: string,
  run: (zk: ZooKeeper, connectString: string, base: string) => Promise<Row>,
): Promise<Row> {
  const zk = await Client.connect(connectString, { sessionTimeout: P.SESSION_TIMEOUT_MS });
  try {
    await zk.create(base);
    return await run(zk, connectString, base);
  } finally {
    await deleteTree(zk, base);
    await zk.close();
  }
}

async function main(): Promise<void> {
  if (gc === undefined) throw new Error('run with node --expose-gc (npm run bench:memory does)');
  const given = process.argv[2];
  const server = given === undefined ? await ZooKeeperServer.start({ tickTime: 2000 }) : null;
  const connectString = given ?? server!.connectString;
  const base = `/bench-memory-${process.pid}`;
  try {
    const rows = [
      await inSession(connectString, `${base}-w`, watches),
      await inSession(connectString, `${base}-l`, waiters),
    ];
    print(rows);
  } finally {
    await server?.stop();
  }
}

main().then(
  () => setTimeout(() => process.exit(0), 50),
  (error: unknown) => {
    process.stderr.write(
      `${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(1);
  },
);

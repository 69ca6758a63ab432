/**
 * zkcoord's harness for the peer benchmark (/work/shared/peers, "Harness contract"):
 *
 *   node dist-bench/bench/peer-harness.js CONNECT WORKLOAD
 *
 * CONNECT and WORKLOAD are the last two arguments; exactly one JSON line goes to stdout, the rest
 * to stderr. A run without a line (exit code ≠ 0) is a failed run for `run.sh`, as for the peers.
 * Parameters come from the peers' environment variables (L1_ACQ, L1_WARMUP, L2_HANDOFFS, …).
 */
import type { ZooKeeper } from '../src/index.js';
import { basePath, emit, result } from './common.js';
import type { Result } from './common.js';
import { l1, l2 } from './locks.js';
import type { BenchContext } from './locks.js';
import { readsOrWrites, w1, w4 } from './ops.js';
import { connect, deleteTree, packageVersion } from './zk-helpers.js';

/** The workloads by name. A pattern's groups are handed to `run`, so `l2-N` is one entry. */
interface Workload {
  /** How usage names it. */
  readonly name: string;
  readonly pattern: RegExp;
  readonly run: (ctx: BenchContext, r: Result, groups: readonly string[]) => Promise<void>;
}

const WORKLOADS: readonly Workload[] = [
  { name: 'w1', pattern: /^w1$/, run: (ctx, r) => w1(ctx, r) },
  { name: 'w2', pattern: /^w2$/, run: (ctx, r) => readsOrWrites(ctx, true, r) },
  { name: 'w3', pattern: /^w3$/, run: (ctx, r) => readsOrWrites(ctx, false, r) },
  { name: 'w4', pattern: /^w4$/, run: (ctx, r) => w4(ctx, r) },
  { name: 'l1', pattern: /^l1$/, run: (ctx, r) => l1(ctx, r) },
  {
    name: 'l2-N',
    pattern: /^l2-([1-9]\d*)$/,
    run: (ctx, r, [n]) => l2(ctx, Number.parseInt(n!, 10), r),
  },
];

function findWorkload(name: string): { workload: Workload; groups: string[] } | undefined {
  for (const workload of WORKLOADS) {
    const m = workload.pattern.exec(name);
    if (m) return { workload, groups: m.slice(1) };
  }
  return undefined;
}

/**
 * Every operation, acquisition and hand-over needs at least one request: a server that received
 * fewer than that means answers came from somewhere else, and the row must not be trusted.
 */
function warnIfFewerRequestsThanOps(r: Result): void {
  const ops = r.ops ?? r.acquisitions ?? r.handoffs;
  const received = r.server_received_delta;
  if (typeof ops !== 'number' || typeof received !== 'number' || received < ops) {
    process.stderr.write(
      `honesty: server_received_delta ${String(received)} < operations ${String(ops)}\n`,
    );
  }
}

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const found = args.length >= 2 ? findWorkload(args[args.length - 1]!) : undefined;
  if (args.length < 2 || found === undefined) {
    const names = WORKLOADS.map((w) => w.name).join(' | ');
    process.stderr.write(`usage: peer-harness CONNECT WORKLOAD   (WORKLOAD: ${names})\n`);
    return 2;
  }
  const connectString = args[args.length - 2]!;
  const workloadName = args[args.length - 1]!;
  const r = result('zkcoord', packageVersion(), workloadName);
  // The harness's own session makes and removes the base node and stays open meanwhile, like
  // Curator's and kazoo's main client (its pings are part of what the server counts, as theirs).
  const admin: ZooKeeper = await connect(connectString);
  const ctx: BenchContext = { connect: connectString, base: basePath('zkcoord'), zk: admin };
  await admin.create(ctx.base);
  try {
    await found.workload.run(ctx, r, found.groups);
  } finally {
    try {
      await deleteTree(admin, ctx.base);
    } catch (error) {
      process.stderr.write(`cleanup: ${String(error)}\n`);
    }
    await admin.close();
  }
  warnIfFewerRequestsThanOps(r);
  emit(r);
  return 0;
}

main().then(
  (code) => {
    // Exit explicitly, as the peers do: a handle left behind must not hold run.sh until its timeout.
    setTimeout(() => process.exit(code), 50);
  },
  (error: unknown) => {
    process.stderr.write(
      `${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(1);
  },
);

/**
 * The lock workloads of the peer benchmark with zkcoord's Mutex: L1 (contention) and L2-N
 * (waiter scaling), step for step as Curator's `CuratorBench` and kazoo's `kazoo_bench.py` run
 * them, so the rows sit beside theirs.
 */
import type { ZooKeeper } from '../src/index.js';
import { LockTimeoutError, Mutex } from '../src/recipes/index.js';
import type { Lease } from '../src/recipes/index.js';
import { L2Acc, l2Rounds, LockLog, nowNs, P, putL1, sleep, Timer } from './common.js';
import type { Result } from './common.js';
import { connect, SRVR_PROBE_COST, zkPacketsReceived } from './zk-helpers.js';

/** What every workload gets: where the server is and the run's own base node. */
export interface BenchContext {
  readonly connect: string;
  /** The run's base node, made by the harness's own session (which stays open, as the peers'). */
  readonly base: string;
  /** The harness's own session: W1–W4 run on it, as the peers' run on their one client. */
  readonly zk: ZooKeeper;
}

function describe(error: unknown): string {
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}

/** Opens `n` sessions one after the other, as the peers do before anything is timed. */
async function sessions(connectString: string, n: number): Promise<ZooKeeper[]> {
  const out: ZooKeeper[] = [];
  for (let i = 0; i < n; i++) out.push(await connect(connectString));
  return out;
}

/**
 * L1: L1_CONTENDERS sessions, each looping acquire → release with no hold time. The first
 * L1_WARMUP acquisitions warm up, the next L1_ACQ are measured; handoff = next acquire returned −
 * previous release call start. Like Curator's, each contender's acquire is given the time left
 * to the LOCK_TIMEOUT_S deadline, and a contender stops once the log is full.
 */
export async function l1(ctx: BenchContext, r: Result): Promise<void> {
  const k = P.L1_CONTENDERS;
  const warm = P.L1_WARMUP;
  const n = P.L1_ACQ;
  // The first measured handoff needs the release before it: without warm-up there is none.
  if (warm < 1 || n < 1 || k < 1)
    throw new Error('L1_WARMUP, L1_ACQ and L1_CONTENDERS must be ≥ 1');
  const lockPath = `${ctx.base}/lock`;
  const clients = await sessions(ctx.connect, k);
  const log = new LockLog(warm + n);
  const deadline = Date.now() + P.LOCK_TIMEOUT_S * 1000;
  const contender = async (zk: ZooKeeper, who: number): Promise<void> => {
    const mutex = new Mutex(zk, lockPath);
    try {
      while (Date.now() < deadline) {
        let lease: Lease;
        try {
          lease = await mutex.acquire({ timeout: Math.max(1, deadline - Date.now()) });
        } catch (error) {
          // Curator's timed acquire returns false and the contender stops; so does ours.
          if (error instanceof LockTimeoutError) return;
          throw error;
        }
        const s = log.onAcquired(who, nowNs());
        log.onReleasing(s, nowNs());
        await lease.release();
        if (s < 0) return;
      }
    } catch (error) {
      log.errors++;
      process.stderr.write(`contender ${who}: ${describe(error)}\n`);
    }
  };
  const req0 = await zkPacketsReceived(ctx.connect);
  const t = new Timer();
  await Promise.all(clients.map((zk, who) => contender(zk, who)));
  t.stop();
  const req1 = await zkPacketsReceived(ctx.connect);
  // Over the whole phase, as the CPU: every acquisition and release is a request of its own.
  if (req0 !== null && req1 !== null) r.server_received_delta = req1 - req0 - SRVR_PROBE_COST;
  await Promise.all(clients.map((zk) => zk.close()));
  putL1(r, log, warm, n, k);
  // CPU over the whole phase (warm-up included), as every peer reports it.
  t.putCpu(r);
}

/** Resolves after `ms`, or at once when `until` settles first; never keeps the process alive. */
async function boundedWait(until: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms);
  });
  try {
    await Promise.race([until, expired]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * L2-N: one holder and N waiters (own sessions) queued on the lock; the holder releases, each
 * waiter acquires and releases at once. Round 0 warms up (same sessions), then l2Rounds(N)
 * measured rounds. Server requests = srvr `Received` after the drain − before the release − the
 * probe's own cost (ping packets of the idle sessions land in it too, as for every peer).
 */
export async function l2(ctx: BenchContext, nWaiters: number, r: Result): Promise<void> {
  const lockPath = `${ctx.base}/lock`;
  const holderZk = await connect(ctx.connect);
  const clients = await sessions(ctx.connect, nWaiters);
  const acc = new L2Acc();
  const rounds = 1 + l2Rounds(nWaiters); // round 0 warms up
  for (let round = 0; round < rounds; round++) {
    const holder = await new Mutex(holderZk, lockPath).acquire();
    const lg = new LockLog(nWaiters);
    const waiting = clients.map(async (zk, who) => {
      try {
        let lease: Lease;
        try {
          lease = await new Mutex(zk, lockPath).acquire({ timeout: P.LOCK_TIMEOUT_S * 1000 });
        } catch (error) {
          if (error instanceof LockTimeoutError) return; // counted as an incomplete round
          throw error;
        }
        const s = lg.onAcquired(who, nowNs());
        lg.onReleasing(s, nowNs());
        await lease.release();
      } catch (error) {
        lg.errors++;
        process.stderr.write(`waiter ${who}: ${describe(error)}\n`);
      }
    });
    // Every waiter's node in the queue (kazoo counts the children the same way), then time for
    // each to set its watch on the node ahead.
    const queuedBy = Date.now() + 60_000;
    while (
      (await holderZk.getChildren(lockPath)).children.length < nWaiters + 1 &&
      Date.now() < queuedBy
    ) {
      await sleep(10);
    }
    await sleep(300);
    const req0 = await zkPacketsReceived(ctx.connect);
    const rel = nowNs();
    await holder.release();
    await boundedWait(Promise.all(waiting), P.LOCK_TIMEOUT_S * 1000);
    const req1 = await zkPacketsReceived(ctx.connect);
    if (round > 0) {
      acc.add(lg, rel, nWaiters);
      acc.addRequests(req0, req1, SRVR_PROBE_COST);
    }
  }
  acc.put(r, nWaiters);
  await Promise.all([holderZk, ...clients].map((zk) => zk.close()));
}

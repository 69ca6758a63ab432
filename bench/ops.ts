/**
 * The client operation workloads of the peer benchmark (W1–W4) with zkcoord's promise API, step
 * for step as the peers' `node/zk_bench.js` runs them: the same node sizes, counts, warm-ups,
 * sliding window and bookkeeping, on the harness's own session with the shipped defaults.
 */
import type { ZooKeeper } from '../src/index.js';
import { nowNs, P, putLatencies, Timer } from './common.js';
import type { Result } from './common.js';
import type { BenchContext } from './locks.js';
import { SRVR_PROBE_COST, zkPacketsReceived } from './zk-helpers.js';

/** The 100-byte payload (DATA_SIZE) every write carries and every read must return. */
const DATA = Buffer.alloc(P.DATA_SIZE, 'x');

/** Starts operation `i`; the promise settles when the server has answered it. */
type Issue = (i: number) => Promise<unknown>;

/**
 * Runs `n` operations with at most `window` outstanding, the next one issued when one completes
 * (the peers' `pipelined`; with window 1 their `sequential`). Records each latency in `lat` when
 * given; resolves with the number of failed operations (the peers count, they do not stop).
 */
function pipelined(n: number, lat: number[] | null, issue: Issue, window: number): Promise<number> {
  return new Promise((resolve) => {
    if (n === 0) {
      resolve(0);
      return;
    }
    let next = 0;
    let completed = 0;
    let errs = 0;
    const launch = (): void => {
      const i = next++;
      const t0 = nowNs();
      const done = (): void => {
        if (lat) lat[i] = Number(nowNs() - t0);
        completed++;
        if (completed === n) resolve(errs);
        else if (next < n) launch();
      };
      issue(i).then(done, (error: unknown) => {
        if (errs++ === 0) process.stderr.write(`operation ${i}: ${String(error)}\n`);
        done();
      });
    };
    for (let k = Math.min(window, n); k > 0; k--) launch();
  });
}

/** The server's `Received` counter around a timed phase, minus the closing probe itself. */
class ReceivedDelta {
  private constructor(
    private readonly connectString: string,
    private readonly before: number | null,
  ) {}

  static async start(connectString: string): Promise<ReceivedDelta> {
    return new ReceivedDelta(connectString, await zkPacketsReceived(connectString));
  }

  /**
   * Sets `server_received_delta`: every request and ping the server took in, so it is at least
   * the number of operations unless the client answered some of them without asking the server.
   */
  async put(r: Result): Promise<void> {
    const after = await zkPacketsReceived(this.connectString);
    if (this.before !== null && after !== null) {
      r.server_received_delta = after - this.before - SRVR_PROBE_COST;
    }
  }
}

/** The peers' `putThroughput`: counts, rate, latencies, CPU, errors. */
function putThroughput(
  r: Result,
  n: number,
  t: Timer,
  lat: readonly number[],
  errs: number,
  outstanding: number,
): void {
  r.ops = n;
  r.outstanding = outstanding;
  r.ops_per_s = n / t.elapsed();
  putLatencies(r, lat);
  t.put(r);
  r.errors = errs;
}

function getChecked(zk: ZooKeeper, path: string): Promise<void> {
  return zk.getData(path).then(({ data }) => {
    if (data.length !== P.DATA_SIZE) throw new Error(`read ${data.length} bytes`);
  });
}

/** W1: W1_OPS getData of one 100-byte node, one outstanding; W1_WARMUP untimed calls first. */
export async function w1(ctx: BenchContext, r: Result): Promise<void> {
  const zk = ctx.zk;
  const path = `${ctx.base}/r`;
  await zk.create(path, DATA);
  const issue: Issue = () => getChecked(zk, path);
  await pipelined(P.W1_WARMUP, null, issue, 1);
  const lat = new Array<number>(P.W1_OPS).fill(0);
  const received = await ReceivedDelta.start(ctx.connect);
  const t = new Timer();
  const errs = await pipelined(P.W1_OPS, lat, issue, 1);
  t.stop();
  await received.put(r);
  putThroughput(r, P.W1_OPS, t, lat, errs, 1);
}

/** W2 (reads: getData) or W3 (writes: setData, version -1): window WINDOW, after a warm-up. */
export async function readsOrWrites(ctx: BenchContext, read: boolean, r: Result): Promise<void> {
  const zk = ctx.zk;
  const path = `${ctx.base}/${read ? 'r' : 'w'}`;
  await zk.create(path, DATA);
  const issue: Issue = read ? () => getChecked(zk, path) : () => zk.setData(path, DATA);
  const n = read ? P.W2_OPS : P.W3_OPS;
  await pipelined(read ? P.W2_WARMUP : P.W3_WARMUP, null, issue, P.WINDOW);
  const lat = new Array<number>(n).fill(0);
  const received = await ReceivedDelta.start(ctx.connect);
  const t = new Timer();
  const errs = await pipelined(n, lat, issue, P.WINDOW);
  t.stop();
  await received.put(r);
  putThroughput(r, n, t, lat, errs, P.WINDOW);
}

interface CreateDeleteTimes {
  readonly errs: number;
  /** Seconds spent creating, then deleting. */
  readonly tc: number;
  readonly td: number;
}

/** `n` EPHEMERAL_SEQUENTIAL creates under `parent`, then deletes of every created node. */
async function createDelete(
  zk: ZooKeeper,
  parent: string,
  n: number,
  latC: number[] | null,
  latD: number[] | null,
): Promise<CreateDeleteTimes> {
  const names: (string | undefined)[] = new Array<string | undefined>(n);
  const t0 = nowNs();
  const e1 = await pipelined(
    n,
    latC,
    (i) =>
      zk.create(`${parent}/n-`, DATA, { mode: 'ephemeral-sequential' }).then(({ path }) => {
        names[i] = path;
      }),
    P.WINDOW,
  );
  const t1 = nowNs();
  const created = names.filter((name): name is string => name !== undefined);
  const e2 = await pipelined(created.length, latD, (i) => zk.delete(created[i]!), P.WINDOW);
  const t2 = nowNs();
  return { errs: e1 + e2, tc: Number(t1 - t0) / 1e9, td: Number(t2 - t1) / 1e9 };
}

/**
 * W4: W4_OPS creates then as many deletes, window WINDOW each, after a W4_WARMUP round;
 * ops/s = 2 × W4_OPS / total time, latencies of the creates (as the peers report them).
 */
export async function w4(ctx: BenchContext, r: Result): Promise<void> {
  const zk = ctx.zk;
  const parent = `${ctx.base}/cd`;
  await zk.create(parent);
  await createDelete(zk, parent, P.W4_WARMUP, null, null);
  const n = P.W4_OPS;
  const latC = new Array<number>(n).fill(0);
  const latD = new Array<number>(n).fill(0);
  const received = await ReceivedDelta.start(ctx.connect);
  const t = new Timer();
  const { errs, tc, td } = await createDelete(zk, parent, n, latC, latD);
  t.stop();
  await received.put(r);
  putThroughput(r, 2 * n, t, latC, errs, P.WINDOW);
  r.create_per_s = n / tc;
  r.delete_per_s = n / td;
}

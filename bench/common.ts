/**
 * Parameters, statistics, CPU accounting and lock bookkeeping for the peer harness: a port of
 * the peers' `node/common.js` (same env names, defaults, percentile rule, field names, units and
 * rounding), so that zkcoord's numbers mean exactly what Curator's and kazoo's mean.
 */
import { readFileSync } from 'node:fs';

/** One JSON result line; `undefined` fields are left out, like fields the peers never set. */
export type Result = Record<string, string | number | boolean | null | undefined>;

function envInt(name: string, fallback: number): number {
  const value = process.env[name];
  // The peers treat an empty variable as unset (Java) or parse it leniently (JS): refuse junk
  // instead, so that a typo cannot silently run the default workload.
  if (value === undefined || value === '') return fallback;
  const parsed = Number.parseInt(value, 10);
  if (!Number.isFinite(parsed)) throw new Error(`${name} must be an integer, got ${value}`);
  return parsed;
}

/** Workload parameters: the peers' defaults, overridable by environment variables of the same name. */
export const P = {
  DATA_SIZE: envInt('DATA_SIZE', 100),
  SESSION_TIMEOUT_MS: envInt('SESSION_TIMEOUT_MS', 30000),
  WINDOW: envInt('WINDOW', 1000),
  W1_OPS: envInt('W1_OPS', 5000),
  W1_WARMUP: envInt('W1_WARMUP', 500),
  W2_OPS: envInt('W2_OPS', 100000),
  W2_WARMUP: envInt('W2_WARMUP', 10000),
  W3_OPS: envInt('W3_OPS', 30000),
  W3_WARMUP: envInt('W3_WARMUP', 3000),
  W4_OPS: envInt('W4_OPS', 10000),
  W4_WARMUP: envInt('W4_WARMUP', 1000),
  L1_CONTENDERS: envInt('L1_CONTENDERS', 8),
  L1_ACQ: envInt('L1_ACQ', 2000),
  L1_WARMUP: envInt('L1_WARMUP', 200),
  LOCK_TIMEOUT_S: envInt('LOCK_TIMEOUT_S', 120),
  L2_HANDOFFS: envInt('L2_HANDOFFS', 20),
} as const;

export const nowNs = (): bigint => process.hrtime.bigint();

export const sleep = (ms: number): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, ms));

/** Nearest-rank percentile of nanosecond samples (sorted ascending), in microseconds. */
export function pctUs(sortedNs: readonly number[], p: number): number | null {
  if (sortedNs.length === 0) return null;
  let idx = Math.ceil((p / 100) * sortedNs.length) - 1;
  idx = Math.max(0, Math.min(sortedNs.length - 1, idx));
  return sortedNs[idx]! / 1000;
}

export function sortNum(values: readonly number[]): number[] {
  return [...values].sort((x, y) => x - y);
}

export function putLatencies(r: Result, ns: readonly number[]): void {
  const s = sortNum(ns);
  r.p50_us = pctUs(s, 50);
  r.p99_us = pctUs(s, 99);
  r.mean_us = s.length ? s.reduce((a, b) => a + b, 0) / s.length / 1000 : null;
}

const clkTck = envInt('CLK_TCK', 100);

/** CPU seconds (user + system) of the server process named by SERVER_PID, or null. */
export function serverCpuS(): number | null {
  const pid = process.env.SERVER_PID;
  if (!pid) return null;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which may itself contain spaces and parentheses.
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number.parseInt(f[11]!, 10) + Number.parseInt(f[12]!, 10)) / clkTck;
  } catch {
    return null;
  }
}

/** Wall time, this process's CPU and the server's CPU over a timed phase. */
export class Timer {
  private readonly t0 = nowNs();
  private readonly c0 = process.cpuUsage();
  private readonly s0 = serverCpuS();
  private t1 = this.t0;
  private c1: NodeJS.CpuUsage = { user: 0, system: 0 };
  private s1: number | null = null;

  stop(): void {
    this.t1 = nowNs();
    this.c1 = process.cpuUsage(this.c0);
    this.s1 = serverCpuS();
  }

  elapsed(): number {
    return Number(this.t1 - this.t0) / 1e9;
  }

  /** Only the CPU fields: the lock workloads keep putL1's `elapsed_s` (the measured span). */
  putCpu(r: Result): void {
    const el = this.elapsed();
    r.client_cpu_pct = (100 * (this.c1.user + this.c1.system)) / 1e6 / el;
    if (this.s0 !== null && this.s1 !== null) r.server_cpu_pct = (100 * (this.s1 - this.s0)) / el;
  }

  put(r: Result): void {
    r.elapsed_s = this.elapsed();
    this.putCpu(r);
  }
}

export function result(client: string, version: string, workload: string): Result {
  return { lang: 'node', client, version, workload };
}

/**
 * Lock bookkeeping, identical in meaning to the peers' LockLog: a hold runs from the acquire
 * returning to the release call starting, and a second hold inside it is a violation.
 */
export class LockLog {
  readonly acq: bigint[];
  readonly rel: bigint[];
  readonly holder: number[];
  seq = 0;
  inside = false;
  violations = 0;
  errors = 0;
  failedAttempts = 0;

  constructor(n: number) {
    this.acq = new Array<bigint>(n).fill(0n);
    this.rel = new Array<bigint>(n).fill(0n);
    this.holder = new Array<number>(n).fill(0);
  }

  /** Records an acquisition; its slot, or -1 once the log is full (the contender then stops). */
  onAcquired(who: number, t: bigint): number {
    if (this.inside) this.violations++;
    this.inside = true;
    const s = this.seq++;
    if (s < this.acq.length) {
      this.acq[s] = t;
      this.holder[s] = who;
      return s;
    }
    return -1;
  }

  onReleasing(s: number, t: bigint): void {
    if (s >= 0) this.rel[s] = t;
    this.inside = false;
  }
}

/** L1 figures from the log: `warm` acquisitions skipped, the next `n` measured, `k` contenders. */
export function putL1(r: Result, log: LockLog, warm: number, n: number, k: number): void {
  const done = Math.min(log.seq, log.acq.length);
  const last = Math.min(done, warm + n) - 1;
  r.contenders = k;
  r.acquisitions = Math.max(0, last - warm + 1);
  r.complete = done >= warm + n;
  r.failed_attempts = log.failedAttempts;
  if (last <= warm) return;
  const el = Number(log.acq[last]! - log.acq[warm - 1]!) / 1e9;
  const h: number[] = [];
  const cross: number[] = [];
  let changes = 0;
  const per = new Array<number>(k).fill(0);
  for (let i = warm; i <= last; i++) {
    const d = Number(log.acq[i]! - log.rel[i - 1]!);
    h.push(d);
    if (log.holder[i] !== log.holder[i - 1]) {
      changes++;
      cross.push(d);
    }
    per[log.holder[i]!]!++;
  }
  const s = sortNum(h);
  const sc = sortNum(cross);
  r.elapsed_s = el;
  r.acq_per_s = (last - warm + 1) / el;
  r.handoff_p50_us = pctUs(s, 50);
  r.handoff_p99_us = pctUs(s, 99);
  r.cross_handoffs = sc.length;
  r.cross_handoff_p50_us = pctUs(sc, 50);
  r.holder_change_frac = changes / h.length;
  r.per_contender_min = Math.min(...per);
  r.per_contender_max = Math.max(...per);
  r.violations = log.violations;
  r.errors = log.errors;
}

/** Measured L2 rounds for n waiters: enough to collect at least L2_HANDOFFS handoffs. */
export const l2Rounds = (n: number): number => Math.max(1, Math.ceil(P.L2_HANDOFFS / n));

/** L2 figures pooled over the measured rounds. */
export class L2Acc {
  private readonly handoffs: number[] = [];
  private readonly firsts: number[] = [];
  private readonly drains: number[] = [];
  private rounds = 0;
  private incomplete = 0;
  private violations = 0;
  private errors = 0;
  private failedAttempts = 0;
  private serverRequests: number | null = null;

  /**
   * Server requests between holder release and the end of the drain (herd indicator).
   * probeCost: requests the reading of the counter itself adds (ZooKeeper `srvr`: 1, as the
   * Java and Python harnesses count it).
   */
  addRequests(before: number | null, after: number | null, probeCost = 1): void {
    if (before === null || after === null) return;
    this.serverRequests = (this.serverRequests ?? 0) + Math.max(0, after - before - probeCost);
  }

  add(log: LockLog, holderRelease: bigint, n: number): void {
    const done = Math.min(log.seq, log.acq.length);
    this.rounds++;
    if (done < n) this.incomplete++;
    this.violations += log.violations;
    this.errors += log.errors;
    this.failedAttempts += log.failedAttempts;
    if (done === 0) return;
    this.firsts.push(Number(log.acq[0]! - holderRelease));
    this.handoffs.push(Number(log.acq[0]! - holderRelease));
    for (let i = 1; i < done; i++) this.handoffs.push(Number(log.acq[i]! - log.rel[i - 1]!));
    this.drains.push(Number(log.acq[done - 1]! - holderRelease));
  }

  put(r: Result, n: number): void {
    r.waiters = n;
    r.rounds = this.rounds;
    r.handoffs = this.handoffs.length;
    r.complete = this.incomplete === 0;
    r.failed_attempts = this.failedAttempts;
    if (!this.handoffs.length) return;
    const s = sortNum(this.handoffs);
    r.first_handoff_us = pctUs(sortNum(this.firsts), 50);
    r.handoff_p50_us = pctUs(s, 50);
    r.handoff_p90_us = pctUs(s, 90);
    r.handoff_max_us = pctUs(s, 100);
    r.handoff_mean_us = s.reduce((a, b) => a + b, 0) / s.length / 1000;
    r.drain_ms = pctUs(sortNum(this.drains), 50)! / 1000;
    if (this.serverRequests !== null) {
      r.server_received_delta = this.serverRequests;
      r.server_req_per_handoff = this.serverRequests / this.handoffs.length;
    }
    r.violations = this.violations;
    r.errors = this.errors;
  }
}

/** Prints the one JSON line the contract asks for; fractions rounded to 3 decimals as the peers do. */
export function emit(r: Result): void {
  const out: Result = {};
  for (const [k, v] of Object.entries(r)) {
    out[k] = typeof v === 'number' && !Number.isInteger(v) ? Math.round(v * 1000) / 1000 : v;
  }
  process.stdout.write(JSON.stringify(out) + '\n');
}

/** A fresh base path per run, so that runs never see each other's nodes. */
export function basePath(client: string): string {
  return `/bench-${client}-${process.pid}-${Math.floor(Math.random() * 1e6)}`;
}

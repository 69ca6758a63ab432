/**
 * zkcoord against each peer, from a results file of the peers' `run.sh`:
 *
 *   node dist-bench/bench/compare.js RESULTS.jsonl
 *
 * Prints, per workload, the medians over repetitions of zkcoord and of every peer that ran it
 * with zkcoord's advantage (>1: zkcoord better, whichever way the metric points), then the
 * targets of issue 7 as met / not met, then the honesty checks: every zkcoord row carries the
 * server's `Received` delta and it is at least its number of operations, and no lock run saw a
 * violation. Exits 1 when an honesty check fails, so that `npm run bench:peers` fails too.
 */
import { readFileSync } from 'node:fs';

type Row = Record<string, unknown>;

const OURS = process.env.OURS_CASE ?? 'zkcoord';
const NODE_PEERS = ['node-zookeeper-client', 'zookeeper-native'];
/** The reference cases bench/run-peers.sh adds: not clients, limits measured in the same run. */
const CEILING = 'server-ceiling';
const FLOOR = 'wire-floor';

interface Metric {
  readonly field: string;
  readonly label: string;
  readonly higherIsBetter: boolean;
}

const up = (field: string, label: string): Metric => ({ field, label, higherIsBetter: true });
const down = (field: string, label: string): Metric => ({ field, label, higherIsBetter: false });
/** Client CPU time per operation, derived from the contract's fields. */
const CPU_US_PER_OP = 'client_cpu_us_per_op';

const METRICS: Readonly<Record<string, readonly Metric[]>> = {
  w1: [up('ops_per_s', 'ops/s'), down('p50_us', 'p50 µs'), down('p99_us', 'p99 µs')],
  w2: [up('ops_per_s', 'ops/s'), down(CPU_US_PER_OP, 'client CPU µs/op')],
  w3: [up('ops_per_s', 'ops/s'), down(CPU_US_PER_OP, 'client CPU µs/op')],
  w4: [
    up('ops_per_s', 'ops/s'),
    up('create_per_s', 'creates/s'),
    up('delete_per_s', 'deletes/s'),
    down(CPU_US_PER_OP, 'client CPU µs/op'),
  ],
  l1: [
    up('acq_per_s', 'acq/s'),
    down('handoff_p50_us', 'handoff p50 µs'),
    up('holder_change_frac', 'holder changed'),
  ],
  l2: [
    down('handoff_p50_us', 'handoff p50 µs'),
    down('drain_ms', 'drain ms'),
    down('server_req_per_handoff', 'server requests / handoff'),
  ],
};

function metricsOf(workload: string): readonly Metric[] {
  return METRICS[workload] ?? (/^l2-\d+$/.test(workload) ? METRICS.l2! : []);
}

function num(row: Row, field: string): number | null {
  if (field === CPU_US_PER_OP) {
    const cpu = row.client_cpu_pct;
    const el = row.elapsed_s;
    const ops = row.ops;
    if (typeof cpu !== 'number' || typeof el !== 'number' || typeof ops !== 'number' || !ops) {
      return null;
    }
    return ((cpu / 100) * el * 1e6) / ops;
  }
  const v = row[field];
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

function median(values: readonly (number | null)[]): number | null {
  const s = values.filter((v): v is number => v !== null).sort((a, b) => a - b);
  if (!s.length) return null;
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

function fmt(x: number | null): string {
  if (x === null) return '—';
  const digits = Math.abs(x) >= 100 ? 0 : Math.abs(x) >= 10 ? 1 : 2;
  return x.toLocaleString('en-US', {
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  });
}

/** zkcoord's advantage over a peer: >1 means zkcoord is better on this metric. */
function advantage(ours: number | null, theirs: number | null, m: Metric): number | null {
  if (ours === null || theirs === null || ours === 0 || theirs === 0) return null;
  return m.higherIsBetter ? ours / theirs : theirs / ours;
}

const times = (x: number | null): string => (x === null ? '—' : `${fmt(x)}×`);

class Results {
  private readonly groups = new Map<string, Row[]>();
  readonly rows: Row[];

  constructor(file: string) {
    this.rows = readFileSync(file, 'utf8')
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => JSON.parse(line) as Row);
    for (const row of this.rows) {
      const key = `${String(row.case)}|${String(row.workload)}`;
      const list = this.groups.get(key) ?? [];
      list.push(row);
      this.groups.set(key, list);
    }
  }

  ok(c: string, w: string): Row[] {
    return (this.groups.get(`${c}|${w}`) ?? []).filter((row) => row.failed !== true);
  }

  med(c: string, w: string, field: string): number | null {
    return median(this.ok(c, w).map((row) => num(row, field)));
  }

  cases(): string[] {
    return [...new Set(this.rows.map((row) => String(row.case)))];
  }

  workloads(c: string): string[] {
    return [
      ...new Set(this.rows.filter((row) => row.case === c).map((row) => String(row.workload))),
    ];
  }
}

function printComparison(res: Results, out: string[]): void {
  for (const w of res.workloads(OURS)) {
    const peers = res.cases().filter((c) => c !== OURS && res.ok(c, w).length > 0);
    const metrics = metricsOf(w);
    if (!metrics.length) continue;
    out.push(`#### ${w}: ${OURS} vs peers (medians; ratio = ${OURS}'s advantage, >1 is better)`);
    out.push('');
    out.push(`| metric | ${OURS} | ${peers.map((p) => `${p} | ratio`).join(' | ')} |`);
    out.push(`|---|---:|${peers.map(() => '---:|---:').join('|')}|`);
    for (const m of metrics) {
      const ours = res.med(OURS, w, m.field);
      const cells = peers.map((p) => {
        const theirs = res.med(p, w, m.field);
        return `${fmt(theirs)} | ${times(advantage(ours, theirs, m))}`;
      });
      out.push(`| ${m.label} | ${fmt(ours)} | ${cells.join(' | ')} |`);
    }
    out.push('');
  }
}

type Verdict = 'met' | 'NOT met' | 'not measured';

function verdict(ok: boolean | null): Verdict {
  return ok === null ? 'not measured' : ok ? 'met' : 'NOT met';
}

/** The best Node peer's median of a metric (highest or lowest, as the metric points). */
function bestNodePeer(res: Results, w: string, m: Metric): { c: string; v: number } | null {
  let best: { c: string; v: number } | null = null;
  for (const c of NODE_PEERS) {
    const v = res.med(c, w, m.field);
    if (v === null) continue;
    if (best === null || (m.higherIsBetter ? v > best.v : v < best.v)) best = { c, v };
  }
  return best;
}

const pct = (x: number | null): string => (x === null ? '—' : `${fmt(100 * x)} %`);

/** W1 beside the wire floor: how near the kernel round trip zkcoord is, and what 1.2× would need. */
function w1Floor(res: Results, ours: number | null, best: number | null, factor: number): string {
  const floor = res.med(FLOOR, 'w1', 'ops_per_s');
  if (floor === null) return '';
  const need = best === null ? null : (factor * best) / floor;
  return `; wire floor ${fmt(floor)} ops/s: zkcoord at ${pct(ours === null ? null : ours / floor)} of it, ${factor}× the best peer would be ${pct(need)} of it`;
}

/**
 * A hand-over waits for the holder's delete to be committed, so no ZooKeeper lock hands over faster
 * than one committed write (wire-floor's w1-set p50) even if nothing else happened meanwhile.
 */
function l1Bound(res: Results, acq: number | null): string {
  const write = res.med(FLOOR, 'w1-set', 'p50_us');
  if (write === null) return 'not measured (wire-floor w1-set)';
  const bound = 1e6 / write;
  const curator = res.med('curator', 'l1', 'acq_per_s');
  return (
    `one committed write p50 ${fmt(write)} µs → at most ${fmt(bound)} acq/s; ` +
    `zkcoord ${pct(acq === null ? null : acq / bound)} of it, 3× curator ${pct(curator === null ? null : (3 * curator) / bound)} of it`
  );
}

function printTargets(res: Results, out: string[]): void {
  out.push('#### Targets (issue 7)');
  out.push('');
  out.push('| target | figures | verdict |');
  out.push('|---|---|---|');
  const row = (target: string, figures: string, ok: boolean | null): void => {
    out.push(`| ${target} | ${figures} | ${verdict(ok)} |`);
  };
  const opsPerS = up('ops_per_s', 'ops/s');
  for (const [w, factor] of [
    ['w1', 1.2],
    ['w2', 1.3],
    ['w3', 1.2],
    ['w4', 1.2],
  ] as const) {
    const ours = res.med(OURS, w, 'ops_per_s');
    const best = bestNodePeer(res, w, opsPerS);
    const ratio = ours !== null && best ? ours / best.v : null;
    let figures = best
      ? `${fmt(ours)} vs ${best.c} ${fmt(best.v)} ops/s = ${times(ratio)}`
      : 'no Node peer';
    let ok = ratio === null ? null : ratio >= factor;
    let target = `${w.toUpperCase()} ≥ ${factor}× best Node peer`;
    if (w === 'w1') figures += w1Floor(res, ours, best?.v ?? null, factor);
    if (w === 'w2') {
      target += ', or ≥ 90 % of the server ceiling';
      const ceiling = res.med(CEILING, 'w2', 'ops_per_s');
      const share = ours !== null && ceiling !== null ? ours / ceiling : null;
      figures += `; server ceiling (${CEILING}) ${fmt(ceiling)} ops/s, zkcoord ${pct(share)} of it`;
      if (share !== null) ok = (ok ?? false) || share >= 0.9;
    }
    row(target, figures, ok);
  }
  const p99 = down('p99_us', 'p99');
  const ours99 = res.med(OURS, 'w1', 'p99_us');
  const best99 = bestNodePeer(res, 'w1', p99);
  row(
    'W1 p99 ≤ best Node peer',
    best99 ? `${fmt(ours99)} vs ${best99.c} ${fmt(best99.v)} µs` : 'no Node peer',
    ours99 !== null && best99 ? ours99 <= best99.v : null,
  );
  for (const w of ['w2', 'w3']) {
    const ours = res.med(OURS, w, CPU_US_PER_OP);
    const nzc = res.med('node-zookeeper-client', w, CPU_US_PER_OP);
    row(
      `${w.toUpperCase()} client CPU/op ≤ ½ node-zookeeper-client's`,
      `${fmt(ours)} vs ${fmt(nzc)} µs/op`,
      ours !== null && nzc !== null ? ours <= nzc / 2 : null,
    );
  }
  const acq = res.med(OURS, 'l1', 'acq_per_s');
  for (const peer of ['curator', 'kazoo']) {
    const theirs = res.med(peer, 'l1', 'acq_per_s');
    const ratio = acq !== null && theirs !== null ? acq / theirs : null;
    row(
      `L1 ≥ 3× ${peer}`,
      `${fmt(acq)} vs ${fmt(theirs)} acq/s = ${times(ratio)}`,
      ratio === null ? null : ratio >= 3,
    );
  }
  out.push(`| L1 bound | ${l1Bound(res, acq)} | |`);
  const change = res.med(OURS, 'l1', 'holder_change_frac');
  row(
    'L1 holder changes on ≥ 99 % of acquisitions',
    `${change === null ? '—' : fmt(100 * change)} %; handoff p50 ${fmt(res.med(OURS, 'l1', 'handoff_p50_us'))} µs`,
    change === null ? null : change >= 0.99,
  );
  for (const n of [1, 10, 50]) {
    const req = res.med(OURS, `l2-${n}`, 'server_req_per_handoff');
    row(
      `L2 N=${n} ≤ 2.0 server requests / handoff`,
      `${fmt(req)} (curator ${fmt(res.med('curator', `l2-${n}`, 'server_req_per_handoff'))}, kazoo ${fmt(res.med('kazoo', `l2-${n}`, 'server_req_per_handoff'))})`,
      req === null ? null : req <= 2.0,
    );
  }
  out.push('');
  const reps = Math.max(0, ...res.rows.map((r) => (typeof r.rep === 'number' ? r.rep : 0)));
  if (reps < 3) out.push(`Only ${reps} repetition(s): the targets are judged on medians of ≥ 3.`);
  out.push('');
}

/** The number of operations a row's server requests must cover. */
function operations(row: Row): number | null {
  for (const field of ['ops', 'acquisitions', 'handoffs']) {
    const v = row[field];
    if (typeof v === 'number') return v;
  }
  return null;
}

/** Honesty checks; returns false when one fails. */
function printHonesty(res: Results, out: string[]): boolean {
  const ours = res.rows.filter((row) => row.case === OURS);
  const problems: string[] = [];
  for (const row of ours) {
    const where = `${String(row.workload)} rep ${String(row.rep)}`;
    if (row.failed === true) {
      problems.push(`${where}: failed run`);
      continue;
    }
    const ops = operations(row);
    const received = row.server_received_delta;
    if (typeof received !== 'number' || ops === null) {
      problems.push(`${where}: no server_received_delta`);
    } else if (received < ops) {
      problems.push(`${where}: server received ${received} < ${ops} operations`);
    }
  }
  const violations = ours.reduce(
    (sum, row) => sum + (typeof row.violations === 'number' ? row.violations : 0),
    0,
  );
  if (violations !== 0) problems.push(`violations: ${violations}`);
  out.push('#### Honesty');
  out.push('');
  out.push(
    `${ours.length} ${OURS} rows; server_received_delta ≥ operations in every row: ` +
      `${problems.some((p) => p.includes('received') || p.includes('failed')) ? 'NO' : 'yes'}; ` +
      `violations (${OURS} lock runs): ${violations}.`,
  );
  for (const p of problems) out.push(`- ${p}`);
  out.push('');
  return problems.length === 0;
}

function main(): number {
  const file = process.argv[2];
  if (file === undefined) {
    process.stderr.write('usage: compare RESULTS.jsonl\n');
    return 2;
  }
  const res = new Results(file);
  const out: string[] = [`### ${OURS} vs the peers (\`${file}\`)`, ''];
  printComparison(res, out);
  printTargets(res, out);
  const honest = printHonesty(res, out);
  process.stdout.write(out.join('\n') + '\n');
  return honest ? 0 : 1;
}

process.exitCode = main();

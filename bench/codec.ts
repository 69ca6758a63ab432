/**
 * Micro-benchmarks of the jute codec on the records the client handles most:
 *
 *   npm run bench:codec           (CODEC_MS=2000 per case by default)
 *
 * Each case runs untimed for a fifth of its time, then in ROUNDS timed rounds; the table shows
 * the median round's ns/op and ops/s. The codec is used as the client uses it: a Stat encoded
 * into a long-lived writer and handed out with `finish()` (as Connection frames a request), and
 * every decode starts from a fresh JuteReader over the received bytes.
 */
import { arch, cpus, release } from 'node:os';
import {
  GetChildren2Response,
  GetDataResponse,
  JuteReader,
  JuteWriter,
  Stat,
} from '../src/protocol/index.js';
import type { RecordCodec } from '../src/protocol/index.js';

const CASE_MS = Number.parseInt(process.env.CODEC_MS ?? '2000', 10);
const ROUNDS = 5;
const CHILDREN = 10_000;

const STAT: Stat = {
  czxid: 0x1_0000_0a3fn,
  mzxid: 0x1_0000_0b40n,
  ctime: 1_764_000_000_000n,
  mtime: 1_764_000_123_456n,
  version: 41,
  cversion: 10_000,
  aversion: 0,
  ephemeralOwner: 0x1000_0f2a_3b4c_0001n,
  dataLength: 100,
  numChildren: CHILDREN,
  pzxid: 0x1_0000_0c41n,
};

function encode<T>(codec: RecordCodec<T>, value: T): Buffer {
  const w = new JuteWriter();
  codec.write(w, value);
  return Buffer.from(w.finish());
}

/** Names as a lock or queue recipe leaves them: a prefix and the 10-digit sequence suffix. */
const children = Array.from(
  { length: CHILDREN },
  (_, i) => `lock-${String(1_000_000 + i * 7).padStart(10, '0')}`,
);
const statBytes = encode(Stat, STAT);
const children2Bytes = encode(GetChildren2Response, { children, stat: STAT });
const dataBytes = encode(GetDataResponse, { data: Buffer.alloc(100, 'x'), stat: STAT });

/** Keeps results observable so that the optimiser cannot drop the work. */
let sink = 0;

interface Case {
  readonly name: string;
  /** Bytes one operation handles, for the table. */
  readonly bytes: number;
  readonly op: () => void;
}

const writer = new JuteWriter(16 * 1024);
const CASES: readonly Case[] = [
  {
    name: 'Stat encode',
    bytes: statBytes.length,
    op: () => {
      Stat.write(writer, STAT);
      sink += writer.finish().length;
    },
  },
  {
    name: 'Stat decode',
    bytes: statBytes.length,
    op: () => {
      sink += Stat.read(new JuteReader(statBytes)).version;
    },
  },
  {
    name: 'GetData response decode (100 B + Stat)',
    bytes: dataBytes.length,
    op: () => {
      sink += GetDataResponse.read(new JuteReader(dataBytes)).stat.version;
    },
  },
  {
    name: `GetChildren2 response decode (${CHILDREN.toLocaleString('en-US')} children)`,
    bytes: children2Bytes.length,
    op: () => {
      sink += GetChildren2Response.read(new JuteReader(children2Bytes)).children.length;
    },
  },
];

/** Runs `op` in batches for about `ms`; ns per operation over the whole span. */
function timed(op: () => void, batch: number, ms: number): number {
  const until = performance.now() + ms;
  let ops = 0;
  const t0 = process.hrtime.bigint();
  do {
    for (let i = 0; i < batch; i++) op();
    ops += batch;
  } while (performance.now() < until);
  return Number(process.hrtime.bigint() - t0) / ops;
}

/** A batch size that takes about a millisecond, so the clock is read rarely. */
function batchFor(op: () => void): number {
  let batch = 1;
  for (;;) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < batch; i++) op();
    if (Number(process.hrtime.bigint() - t0) >= 1e6 || batch >= 1 << 20) return batch;
    batch *= 2;
  }
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function fmt(x: number, digits = 0): string {
  return x.toLocaleString('en-US', {
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  });
}

function main(): void {
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  process.stdout.write(
    `Codec micro-benchmarks: node ${process.version}, ${arch()}, ${cpus().length} × ${cpu}, ` +
      `kernel ${release()}; ${ROUNDS} rounds of ${fmt(CASE_MS / ROUNDS)} ms per case, median round.\n\n`,
  );
  process.stdout.write('| case | bytes | ns/op | ops/s | spread of rounds (ns/op) |\n');
  process.stdout.write('|---|---:|---:|---:|---|\n');
  for (const c of CASES) {
    const batch = batchFor(c.op);
    timed(c.op, batch, CASE_MS / ROUNDS); // warm-up: let the JIT settle
    const rounds: number[] = [];
    for (let i = 0; i < ROUNDS; i++) rounds.push(timed(c.op, batch, CASE_MS / ROUNDS));
    const ns = median(rounds);
    const digits = ns < 100 ? 1 : 0;
    process.stdout.write(
      `| ${c.name} | ${fmt(c.bytes)} | ${fmt(ns, digits)} | ${fmt(1e9 / ns)} | ` +
        `${fmt(Math.min(...rounds), digits)}–${fmt(Math.max(...rounds), digits)} |\n`,
    );
  }
  if (sink === 0) process.stdout.write('(no work was observed)\n');
}

main();

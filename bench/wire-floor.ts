/**
 * The floor under every Node client's W1: getData sent as hand-made frames on a bare socket, one
 * outstanding, with nothing a client does beyond writing bytes and matching replies in order (no
 * promises per request, no timers, no validation, no watch or session bookkeeping). A client near
 * this figure is limited by the server and the kernel round trip, not by its own code. Also
 * `w1-set`: the same with setData, the latency of one committed write, which bounds how fast any
 * ZooKeeper lock can hand over (each hand-over waits for the holder's delete to be committed).
 *
 *   node dist-bench/bench/wire-floor.js CONNECT w1|w1-set     (one JSON line, the peers' contract)
 *
 * There is no W2 floor: with a window of 1,000 the server is the limit, and a leaner sender only
 * sends smaller batches, which the server answers more slowly (measured: 23 k against zkcoord's
 * 25 k ops/s); the W2 reference is the server's ceiling (java/ServerCeiling.java).
 *
 * It is a reference for the benchmark's tables, not a client: a run cannot survive a dropped
 * connection, and it ignores every reply field but the error code and the data length.
 */
import { connect as netConnect } from 'node:net';
import type { Socket } from 'node:net';
import {
  ConnectRequest,
  FrameSplitter,
  JuteWriter,
  OpCode,
  RequestHeader,
} from '../src/protocol/index.js';
import { basePath, emit, nowNs, P, putLatencies, result, Timer } from './common.js';
import type { Result } from './common.js';
import { connect, deleteTree } from './zk-helpers.js';

const DATA = Buffer.alloc(P.DATA_SIZE, 'x');
/** Where the xid sits in a request frame, after the length prefix. */
const XID_AT = 4;
/** Reply layout: xid int, zxid long, err int, then the body. */
const ERR_AT = 12;
const BODY_AT = 16;

type Reply = (frame: Buffer) => void;

/** One session on a bare socket; replies come back in request order, so a FIFO matches them. */
class WireSession {
  private readonly splitter = new FrameSplitter(1 << 20);
  private readonly waiting: Reply[] = [];
  private head = 0;
  private xid = 1;

  private constructor(private readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.splitter.push(chunk, (frame) => {
        const reply = this.waiting[this.head];
        this.waiting[this.head++] = undefined as unknown as Reply;
        if (this.head === this.waiting.length) {
          this.waiting.length = 0;
          this.head = 0;
        }
        reply?.(frame);
      });
    });
  }

  static async open(host: string, port: number): Promise<WireSession> {
    const socket = netConnect({ host, port });
    socket.setNoDelay(true);
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve).once('error', reject);
    });
    const session = new WireSession(socket);
    const w = new JuteWriter(64);
    const at = w.beginFrame();
    ConnectRequest.write(w, {
      protocolVersion: 0,
      lastZxidSeen: 0n,
      timeOut: P.SESSION_TIMEOUT_MS,
      sessionId: 0n,
      passwd: Buffer.alloc(16),
      readOnly: false,
    });
    w.endFrame(at);
    await new Promise<Buffer>((resolve) => {
      session.waiting.push(resolve);
      socket.write(w.finish());
    });
    return session;
  }

  /** A request frame for `opcode` with `body` after its header; the xid is set when sent. */
  static frame(opcode: number, body: (w: JuteWriter) => void): Buffer {
    const w = new JuteWriter(256);
    const at = w.beginFrame();
    RequestHeader.write(w, { xid: 0, type: opcode });
    body(w);
    w.endFrame(at);
    return Buffer.from(w.finish());
  }

  /** Sends a copy of `template` with a fresh xid. */
  send(template: Buffer, onReply: Reply): void {
    const frame = Buffer.allocUnsafe(template.length);
    template.copy(frame);
    frame.writeInt32BE(this.xid++, XID_AT);
    this.waiting.push(onReply);
    this.socket.write(frame);
  }

  close(): void {
    this.socket.destroy();
  }
}

/** `n` requests one after the other; latencies into `lat` when given; resolves with the errors. */
function sequential(
  session: WireSession,
  template: Buffer,
  check: (frame: Buffer) => boolean,
  n: number,
  lat: number[] | null,
): Promise<number> {
  return new Promise((resolve) => {
    let i = 0;
    let errs = 0;
    const launch = (): void => {
      const t0 = nowNs();
      session.send(template, (frame) => {
        if (lat) lat[i] = Number(nowNs() - t0);
        if (!check(frame)) errs++;
        if (++i === n) resolve(errs);
        else launch();
      });
    };
    if (n === 0) resolve(0);
    else launch();
  });
}

const okRead = (frame: Buffer): boolean =>
  frame.readInt32BE(ERR_AT) === 0 && frame.readInt32BE(BODY_AT) === P.DATA_SIZE;
const ok = (frame: Buffer): boolean => frame.readInt32BE(ERR_AT) === 0;

/** Whether each workload writes. */
const WORKLOADS: Readonly<Record<string, boolean>> = { w1: false, 'w1-set': true };

async function run(host: string, port: number, path: string, write: boolean, r: Result) {
  const session = await WireSession.open(host, port);
  try {
    const template = write
      ? WireSession.frame(OpCode.setData, (w) => w.ustring(path).buffer(DATA).int(-1))
      : WireSession.frame(OpCode.getData, (w) => w.ustring(path).bool(false));
    const check = write ? ok : okRead;
    await sequential(session, template, check, P.W1_WARMUP, null);
    const lat = new Array<number>(P.W1_OPS).fill(0);
    const t = new Timer();
    const errs = await sequential(session, template, check, P.W1_OPS, lat);
    t.stop();
    r.ops = P.W1_OPS;
    r.outstanding = 1;
    r.ops_per_s = P.W1_OPS / t.elapsed();
    putLatencies(r, lat);
    t.put(r);
    r.errors = errs;
  } finally {
    session.close();
  }
}

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const name = args[args.length - 1] ?? '';
  const write = WORKLOADS[name];
  if (args.length < 2 || write === undefined) {
    process.stderr.write(`usage: wire-floor CONNECT ${Object.keys(WORKLOADS).join('|')}\n`);
    return 2;
  }
  const connectString = args[args.length - 2]!;
  const first = connectString.split(',')[0]!;
  const colon = first.lastIndexOf(':');
  const r = result('wire-floor (hand-made frames)', 'n/a', name);
  // The node is made and removed with zkcoord; only the timed loop runs on the bare socket.
  const admin = await connect(connectString);
  const base = basePath('floor');
  try {
    await admin.create(base);
    await admin.create(`${base}/r`, DATA);
    await run(first.slice(0, colon), Number(first.slice(colon + 1)), `${base}/r`, write, r);
  } finally {
    await deleteTree(admin, base).catch(() => undefined);
    await admin.close();
  }
  emit(r);
  return 0;
}

main().then(
  (code) => setTimeout(() => process.exit(code), 50),
  (error: unknown) => {
    process.stderr.write(
      `${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(1);
  },
);

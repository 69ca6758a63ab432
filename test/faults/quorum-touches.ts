import type { FaultProxy } from '../../src/testing/index.js';

// Reads the learner → leader side of a proxied quorum link (ensemble.quorumLink(f, leader).quorum,
// client side = the learner): jute QuorumPackets `{ int type; long zxid; buffer data;
// vector<Id> authinfo }` back to back. A learner flushes each packet, so a chunk begins with one;
// read from the middle of a connection, a chunk that does not parse as packets is skipped and
// reading starts again with the next. A learner's answer
// to the leader's ping (type PING) carries its recorded session touches as data: (long sessionId,
// int timeout) pairs (Learner.ping in ZooKeeper 3.8). Stamping each answer as the proxy passes
// it on tells when the leader can first have applied a touch of ours — the touch the leader's
// expiry of the session counts from, without the tick its expiry is rounded up to.

const PING = 5;
/** Bounds a packet read from the right offset is within; anything else means a wrong offset. */
const MAX_TYPE = 30;
const MAX_DATA = 16 << 20;
const MAX_IDS = 100;

/** When, as the proxy passed them on, the learner's ping answers carried each session's touch. */
export class QuorumTouches {
  readonly #delivered = new Map<bigint, number>();
  readonly #pending = new WeakMap<object, Buffer>();
  readonly #stop: () => void;

  constructor(learnerToLeader: FaultProxy) {
    this.#stop = learnerToLeader.onForward((chunk, direction, connection) => {
      if (direction !== 'toTarget') return;
      const at = performance.now();
      const pending = this.#pending.get(connection);
      const bytes = pending === undefined ? chunk : Buffer.concat([pending, chunk]);
      const rest = this.#read(bytes, at);
      this.#pending.set(connection, rest);
    });
  }

  /** The last moment a ping answer carrying `sessionId`'s touch was passed on to the leader. */
  lastDelivered(sessionId: bigint): number | undefined {
    return this.#delivered.get(sessionId);
  }

  /** Stops reading: what the proxy passes on later (a healed link's held bytes) is not counted. */
  stop(): void {
    this.#stop();
  }

  /** Reads every whole packet in `bytes`; returns what is left of an incomplete one. */
  #read(bytes: Buffer, at: number): Buffer {
    let offset = 0;
    for (;;) {
      const end = packetEnd(bytes, offset);
      if (end === 'invalid') return Buffer.alloc(0);
      if (end === undefined) return bytes.subarray(offset);
      if (bytes.readInt32BE(offset) === PING) {
        const dataLength = bytes.readInt32BE(offset + 12);
        for (let i = 0; i + 12 <= dataLength; i += 12) {
          this.#delivered.set(bytes.readBigInt64BE(offset + 16 + i), at);
        }
      }
      offset = end;
    }
  }
}

/**
 * Where the QuorumPacket starting at `offset` ends: undefined if not all of it is here, `invalid`
 * if what is there cannot be one.
 */
function packetEnd(bytes: Buffer, offset: number): number | 'invalid' | undefined {
  const type = int(bytes, offset);
  if (type !== undefined && (type < 1 || type > MAX_TYPE)) return 'invalid';
  let at = offset + 4 + 8;
  const dataLength = int(bytes, at);
  if (dataLength === undefined) return undefined;
  if (dataLength < -1 || dataLength > MAX_DATA) return 'invalid';
  at += 4 + Math.max(0, dataLength);
  const ids = int(bytes, at);
  if (ids === undefined) return undefined;
  if (ids < -1 || ids > MAX_IDS) return 'invalid';
  at += 4;
  for (let i = 0; i < ids; i++) {
    for (let field = 0; field < 2; field++) {
      const length = int(bytes, at);
      if (length === undefined) return undefined;
      at += 4 + Math.max(0, length);
    }
  }
  return at <= bytes.length ? at : undefined;
}

function int(bytes: Buffer, at: number): number | undefined {
  return at + 4 <= bytes.length ? bytes.readInt32BE(at) : undefined;
}

import type { FaultProxy } from '../../src/testing/index.js';

// Reads the learner → leader side of a proxied quorum link (ensemble.quorumLink(f, leader).quorum,
// client side = the learner): jute QuorumPackets `{ int type; long zxid; buffer data;
// vector<Id> authinfo }` back to back, with no length prefix. The listener starts after the
// learner connected, in the middle of its stream: until a chunk reads as whole packets that end
// exactly where the chunk ends, chunks are skipped (a learner flushes its ping answers as it writes
// them, so such a chunk comes within a ping or two); from then on the bytes left over from one
// chunk keep the reading aligned. A learner's answer
// to the leader's ping (type PING) carries its recorded session touches as data: (long sessionId,
// int timeout) pairs (Learner.ping in ZooKeeper 3.8). Stamping each answer as the proxy passes
// it on tells when the leader can first have applied a touch of ours — the touch the leader's
// expiry of the session counts from, without the tick its expiry is rounded up to.

const PING = 5;
/** Bounds a packet read from the right offset is within; anything else means a wrong offset. */
const MAX_TYPE = 30;
const MAX_DATA = 1 << 20;
const MAX_IDS = 100;

/**
 * When, as the proxy passed them on, the learner's ping answers carried each session's touch; and
 * the leader's pings to the learner as they pass (the other way, read the same way), for a test
 * to cut the link right before the learner answers one.
 */
export class QuorumTouches {
  readonly #delivered = new Map<bigint, number>();
  /** Per connection and direction, once aligned: the start of a packet not yet complete. */
  readonly #pending = {
    toTarget: new WeakMap<object, Buffer>(),
    toClient: new WeakMap<object, Buffer>(),
  };
  readonly #leaderPings = new Set<() => void>();
  readonly #stop: () => void;

  constructor(learnerToLeader: FaultProxy) {
    this.#stop = learnerToLeader.onForward((chunk, direction, connection) => {
      const pendingOf = this.#pending[direction];
      const pending = pendingOf.get(connection);
      if (pending === undefined && !wholePackets(chunk)) return;
      const bytes = pending === undefined ? chunk : Buffer.concat([pending, chunk]);
      const rest = this.#read(bytes, direction, performance.now());
      // Misread after all: align again (the test's check on touch ages tells if it matters).
      if (rest === undefined) pendingOf.delete(connection);
      else pendingOf.set(connection, rest);
    });
  }

  /**
   * Calls `listener` as a ping of the leader passes on its way to the learner, before the
   * learner can answer it (synchronously, before the proxy writes it on). Returns the function
   * that stops it.
   */
  onLeaderPing(listener: () => void): () => void {
    this.#leaderPings.add(listener);
    return () => this.#leaderPings.delete(listener);
  }

  /** The last moment a ping answer carrying `sessionId`'s touch was passed on to the leader. */
  lastDelivered(sessionId: bigint): number | undefined {
    return this.#delivered.get(sessionId);
  }

  /** Stops reading: what the proxy passes on later (a healed link's held bytes) is not counted. */
  stop(): void {
    this.#stop();
  }

  /**
   * Reads every whole packet in `bytes`; returns what is left of an incomplete one, or undefined
   * if the bytes are not packets.
   */
  #read(bytes: Buffer, direction: 'toTarget' | 'toClient', at: number): Buffer | undefined {
    let offset = 0;
    for (;;) {
      const end = packetEnd(bytes, offset);
      if (end === 'invalid') return undefined;
      if (end === undefined) return bytes.subarray(offset);
      if (bytes.readInt32BE(offset) === PING && direction === 'toClient') {
        for (const listener of [...this.#leaderPings]) listener();
      } else if (bytes.readInt32BE(offset) === PING) {
        const dataLength = bytes.readInt32BE(offset + 12);
        for (let i = 0; i + 12 <= dataLength; i += 12) {
          this.#delivered.set(bytes.readBigInt64BE(offset + 16 + i), at);
        }
      }
      offset = end;
    }
  }
}

/** Whether `chunk` reads as valid QuorumPackets that end exactly where it ends. */
function wholePackets(chunk: Buffer): boolean {
  let offset = 0;
  while (offset < chunk.length) {
    const end = packetEnd(chunk, offset);
    if (end === undefined || end === 'invalid') return false;
    offset = end;
  }
  return offset === chunk.length && offset > 0;
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

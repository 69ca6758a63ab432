import { Buffer } from 'node:buffer';
import type { Stat } from '../../../src/protocol/index.js';

// Expected wire bytes, built independently of JuteWriter so tests do not check the codec against itself.

export function int(v: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeInt32BE(v);
  return b;
}

export function long(v: bigint): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigInt64BE(v);
  return b;
}

export function bool(v: boolean): Buffer {
  return Buffer.from([v ? 1 : 0]);
}

export function raw(...octets: number[]): Buffer {
  return Buffer.from(octets);
}

export function buffer(v: Uint8Array | null): Buffer {
  return v === null ? int(-1) : Buffer.concat([int(v.length), v]);
}

export function ustring(v: string | null): Buffer {
  return v === null ? int(-1) : buffer(Buffer.from(v, 'utf8'));
}

/** A vector of already-encoded items; null encodes as count -1. */
export function vector(items: readonly Uint8Array[] | null): Buffer {
  return items === null ? int(-1) : Buffer.concat([int(items.length), ...items]);
}

export function bytes(...parts: readonly Uint8Array[]): Buffer {
  return Buffer.concat(parts);
}

/** A Stat whose fields are all distinct, so a swapped field shows up. */
export const sampleStat: Stat = {
  czxid: 0x1_0000_0001n,
  mzxid: 0x1_0000_0002n,
  ctime: 1_700_000_000_000n,
  mtime: 1_700_000_000_123n,
  version: 3,
  cversion: 4,
  aversion: 5,
  ephemeralOwner: 0x0123_4567_89ab_cdefn,
  dataLength: 6,
  numChildren: 7,
  pzxid: 0x1_0000_0003n,
};

export function statBytes(s: Stat): Buffer {
  return bytes(
    long(s.czxid),
    long(s.mzxid),
    long(s.ctime),
    long(s.mtime),
    int(s.version),
    int(s.cversion),
    int(s.aversion),
    long(s.ephemeralOwner),
    int(s.dataLength),
    int(s.numChildren),
    long(s.pzxid),
  );
}

import { InvalidArgumentError } from './errors.js';
import type { Data } from './types.js';

const EMPTY = new Uint8Array(0);

/** Node data as bytes: strings are sent as UTF-8, absent data as zero bytes. */
export function toBytes(data: Data | undefined): Uint8Array {
  if (data === undefined) return EMPTY;
  if (typeof data === 'string') return Buffer.from(data, 'utf8');
  if (data instanceof Uint8Array) return data;
  throw new InvalidArgumentError(
    `data must be a Uint8Array (e.g. a Buffer) or a string, got ${typeof data}`,
  );
}

/** A znode version: -1 (any) when absent, else an int32 ≥ -1. */
export function validateVersion(version: number | undefined): number {
  if (version === undefined) return -1;
  if (!Number.isInteger(version) || version < -1 || version > 0x7fffffff) {
    throw new InvalidArgumentError(
      `version must be an integer from -1 to 2^31-1, got ${String(version)}`,
    );
  }
  return version;
}

/** Reply data as a Buffer: null data (a node created without any) reads as an empty one. */
export function asBuffer(data: Uint8Array | null): Buffer {
  if (data === null) return Buffer.alloc(0);
  return Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}

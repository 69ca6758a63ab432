import { Buffer } from 'node:buffer';
import { ProtocolError } from './errors.js';

const DEFAULT_INITIAL_SIZE = 4096;
const INT32_MIN = -0x8000_0000;
const INT32_MAX = 0x7fff_ffff;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const EMPTY = Buffer.alloc(0);

/**
 * Growable big-endian writer for jute primitives.
 *
 * Offsets taken and given by this class (`length`, `beginFrame`, `endFrame`, `truncate`) count from
 * the start of the current, unfinished message, because `finish()` hands out the bytes so far and the
 * writer then goes on in the rest of the same buffer, the way Node's own Buffer pool does.
 */
export class JuteWriter {
  readonly #initialSize: number;
  #buf: Buffer = EMPTY;
  /** Where the current message starts in `#buf`; everything before it belongs to finished slices. */
  #start = 0;
  #pos = 0;

  constructor(initialSize: number = DEFAULT_INITIAL_SIZE) {
    if (!Number.isSafeInteger(initialSize) || initialSize < 1) {
      throw new ProtocolError(
        `JuteWriter initial size must be a positive integer, got ${initialSize}`,
      );
    }
    this.#initialSize = initialSize;
  }

  /** Bytes written since the writer was created or last finished. */
  get length(): number {
    return this.#pos - this.#start;
  }

  int(v: number): this {
    if (!Number.isInteger(v) || v < INT32_MIN || v > INT32_MAX) {
      throw new ProtocolError(`cannot encode ${v} as a jute int (signed 32-bit integer)`);
    }
    this.#ensure(4);
    this.#buf.writeInt32BE(v, this.#pos);
    this.#pos += 4;
    return this;
  }

  long(v: bigint): this {
    // typeof guards callers that slip a number past the type checker; writeBigInt64BE would throw TypeError.
    if (typeof v !== 'bigint' || v < INT64_MIN || v > INT64_MAX) {
      throw new ProtocolError(`cannot encode ${String(v)} as a jute long (signed 64-bit bigint)`);
    }
    this.#ensure(8);
    this.#buf.writeBigInt64BE(v, this.#pos);
    this.#pos += 8;
    return this;
  }

  bool(v: boolean): this {
    this.#ensure(1);
    this.#buf[this.#pos++] = v ? 1 : 0;
    return this;
  }

  buffer(v: Uint8Array | null): this {
    if (v === null) return this.int(-1);
    this.int(v.length);
    this.#ensure(v.length);
    this.#buf.set(v, this.#pos);
    this.#pos += v.length;
    return this;
  }

  ustring(v: string | null): this {
    if (v === null) return this.int(-1);
    const len = Buffer.byteLength(v, 'utf8');
    this.int(len);
    this.#ensure(len);
    this.#pos += this.#buf.write(v, this.#pos, len, 'utf8');
    return this;
  }

  vector<T>(items: readonly T[] | null, writeItem: (w: JuteWriter, item: T) => void): this {
    if (items === null) return this.int(-1);
    this.int(items.length);
    for (const item of items) writeItem(this, item);
    return this;
  }

  /** Writes a length placeholder and returns its offset, for `endFrame` once the body is written. */
  beginFrame(): number {
    const at = this.length;
    this.int(0);
    return at;
  }

  /** Patches the placeholder at `start` with the number of bytes written after it; returns that number. */
  endFrame(start: number): number {
    this.#checkOffset(start, this.length - 4);
    const len = this.length - start - 4;
    this.#buf.writeInt32BE(len, this.#start + start);
    return len;
  }

  /** Drops everything from `offset` on, e.g. a frame that turned out larger than the server accepts. */
  truncate(offset: number): void {
    this.#checkOffset(offset, this.length);
    this.#pos = this.#start + offset;
  }

  /**
   * Returns the bytes written so far and starts a new, empty message. The returned bytes are never
   * touched again: later writes go after them or into a new buffer.
   */
  finish(): Buffer {
    const out = this.#buf.subarray(this.#start, this.#pos);
    if (this.#buf.length > this.#initialSize) {
      // A buffer grown for one big message is not kept: small slices of it would pin it in memory.
      this.#buf = EMPTY;
      this.#pos = 0;
    }
    this.#start = this.#pos;
    return out;
  }

  #checkOffset(offset: number, max: number): void {
    if (!Number.isInteger(offset) || offset < 0 || offset > max) {
      throw new ProtocolError(`offset ${offset} is outside the current message (0…${max})`);
    }
  }

  #ensure(n: number): void {
    if (this.#pos + n <= this.#buf.length) return;
    const used = this.#pos - this.#start;
    let size = this.#initialSize;
    while (size < used + n) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.#buf.copy(next, 0, this.#start, this.#pos);
    this.#buf = next;
    this.#start = 0;
    this.#pos = used;
  }
}

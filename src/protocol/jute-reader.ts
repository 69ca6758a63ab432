import { Buffer } from 'node:buffer';
import { ProtocolError } from './errors.js';

/**
 * Bounds-checked big-endian reader for jute primitives over `buf[offset, end)`.
 *
 * Every length and count is checked against the bytes that remain before anything is allocated, so a
 * hostile or corrupt frame costs at most its own size. The only error it throws is `ProtocolError`.
 */
export class JuteReader {
  readonly #buf: Buffer;
  readonly #end: number;
  #pos: number;

  constructor(buf: Uint8Array, offset = 0, end: number = buf.length) {
    if (
      !Number.isInteger(offset) ||
      !Number.isInteger(end) ||
      offset < 0 ||
      end < offset ||
      end > buf.length
    ) {
      throw new ProtocolError(`invalid reader window [${offset}, ${end}) on ${buf.length} bytes`);
    }
    this.#buf = Buffer.isBuffer(buf)
      ? buf
      : Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
    this.#pos = offset;
    this.#end = end;
  }

  get offset(): number {
    return this.#pos;
  }

  get remaining(): number {
    return this.#end - this.#pos;
  }

  int(): number {
    this.#need(4, 'int');
    const v = this.#buf.readInt32BE(this.#pos);
    this.#pos += 4;
    return v;
  }

  long(): bigint {
    this.#need(8, 'long');
    const v = this.#buf.readBigInt64BE(this.#pos);
    this.#pos += 8;
    return v;
  }

  bool(): boolean {
    this.#need(1, 'boolean');
    // Like the Java reader: any non-zero byte is true.
    return this.#buf[this.#pos++] !== 0;
  }

  /** A copy, so a decoded record never keeps a whole socket chunk alive. */
  buffer(): Buffer | null {
    const len = this.#length('buffer');
    if (len < 0) return null;
    const out = Buffer.allocUnsafe(len);
    this.#buf.copy(out, 0, this.#pos, this.#pos + len);
    this.#pos += len;
    return out;
  }

  /** A string the record requires; the null encoding (-1) is malformed here. */
  ustring(): string {
    const s = this.nullableUstring();
    if (s === null) throw new ProtocolError(`null string at offset ${this.#pos - 4}`);
    return s;
  }

  nullableUstring(): string | null {
    const len = this.#length('ustring');
    if (len < 0) return null;
    // Invalid UTF-8 becomes U+FFFD rather than an error, as in Java's String(bytes, UTF_8).
    const s = this.#buf.toString('utf8', this.#pos, this.#pos + len);
    this.#pos += len;
    return s;
  }

  /**
   * A vector; null (-1) reads as empty. `minItemSize` is the smallest encoding of one item, used to
   * reject a count the remaining bytes cannot hold before the loop runs or the array grows.
   */
  vector<T>(readItem: (r: JuteReader) => T, minItemSize = 1): T[] {
    const at = this.#pos;
    const count = this.int();
    if (count === -1) return [];
    if (count < -1) throw new ProtocolError(`negative vector count ${count} at offset ${at}`);
    if (count * (minItemSize >= 1 ? minItemSize : 1) > this.remaining) {
      throw new ProtocolError(
        `vector count ${count} at offset ${at} exceeds the ${this.remaining} bytes that remain`,
      );
    }
    const items: T[] = [];
    for (let i = 0; i < count; i++) items.push(readItem(this));
    return items;
  }

  /** For callers that want to reject trailing bytes; decoders do not, as servers may append fields. */
  expectEnd(): void {
    if (this.#pos !== this.#end) {
      throw new ProtocolError(`${this.remaining} unexpected trailing bytes at offset ${this.#pos}`);
    }
  }

  #need(n: number, what: string): void {
    if (this.#end - this.#pos < n) {
      throw new ProtocolError(
        `truncated ${what} at offset ${this.#pos}: need ${n} bytes, ${this.remaining} remain`,
      );
    }
  }

  /** Reads a buffer/ustring length: -1 (null) or 0…remaining. */
  #length(what: string): number {
    const at = this.#pos;
    const len = this.int();
    if (len < -1 || len > this.remaining) {
      throw new ProtocolError(
        `invalid ${what} length ${len} at offset ${at} (${this.remaining} bytes remain)`,
      );
    }
    return len;
  }
}

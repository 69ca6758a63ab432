import { Buffer } from 'node:buffer';
import { ProtocolError } from './errors.js';

const PREFIX = 4;

/**
 * Cuts a byte stream into frames of `int32 length` + `length` bytes; frames exclude the prefix.
 *
 * A frame that lies inside one chunk is handed out as a view of that chunk (no copy). A frame that
 * spans chunks is collected as a list of views and joined once when complete, so a large frame in
 * small chunks costs O(size), not O(size²).
 *
 * After a ProtocolError, or an error thrown by `onFrame`, the stream position is lost: drop the
 * connection rather than pushing more bytes.
 */
export class FrameSplitter {
  readonly #maxFrameSize: number;
  /** Prefix bytes when the prefix itself is split across chunks. */
  readonly #prefix = Buffer.alloc(PREFIX);
  #prefixFill = 0;
  /** Body length of the frame being collected, or -1 while reading a prefix. */
  #frameLength = -1;
  #parts: Buffer[] = [];
  #partsLength = 0;

  constructor(maxFrameSize: number) {
    if (!Number.isSafeInteger(maxFrameSize) || maxFrameSize < 0) {
      throw new ProtocolError(`maxFrameSize must be a non-negative integer, got ${maxFrameSize}`);
    }
    this.#maxFrameSize = maxFrameSize;
  }

  /** Bytes received but not yet handed out as part of a frame. */
  get buffered(): number {
    return this.#prefixFill + this.#partsLength;
  }

  push(chunk: Buffer, onFrame: (frame: Buffer) => void): void {
    const end = chunk.length;
    let pos = 0;
    while (pos < end) {
      if (this.#frameLength >= 0) {
        pos = this.#collect(chunk, pos, onFrame);
        continue;
      }
      let length: number;
      if (this.#prefixFill === 0 && end - pos >= PREFIX) {
        length = chunk.readInt32BE(pos);
        pos += PREFIX;
      } else {
        const take = Math.min(PREFIX - this.#prefixFill, end - pos);
        chunk.copy(this.#prefix, this.#prefixFill, pos, pos + take);
        this.#prefixFill += take;
        pos += take;
        if (this.#prefixFill < PREFIX) return;
        this.#prefixFill = 0;
        length = this.#prefix.readInt32BE(0);
      }
      if (length < 0 || length > this.#maxFrameSize) {
        throw new ProtocolError(
          `frame length ${length} is outside the accepted range 0…${this.#maxFrameSize}`,
        );
      }
      if (end - pos >= length) {
        const frame = chunk.subarray(pos, pos + length);
        pos += length;
        onFrame(frame);
      } else {
        this.#frameLength = length;
      }
    }
  }

  /** Adds body bytes from `chunk[pos…]` to the frame in progress; returns the new position. */
  #collect(chunk: Buffer, pos: number, onFrame: (frame: Buffer) => void): number {
    const take = Math.min(this.#frameLength - this.#partsLength, chunk.length - pos);
    this.#parts.push(chunk.subarray(pos, pos + take));
    this.#partsLength += take;
    if (this.#partsLength === this.#frameLength) {
      const frame = Buffer.concat(this.#parts, this.#partsLength);
      // Reset before the callback so that a throwing onFrame leaves no half-delivered frame behind.
      this.#parts = [];
      this.#partsLength = 0;
      this.#frameLength = -1;
      onFrame(frame);
    }
    return pos + take;
  }
}

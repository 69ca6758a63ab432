import { Buffer } from 'node:buffer';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { JuteReader, JuteWriter, ProtocolError } from '../../../src/protocol/index.js';
import type { RecordCodec } from '../../../src/protocol/index.js';
import type { CatalogEntry } from './catalog.js';

export const FUZZ_RUNS = 10_000;

/** Decodes `bytes`; returns whether it succeeded, and rethrows anything that is not a ProtocolError. */
export function decodes(codec: RecordCodec<unknown>, bytes: Uint8Array): boolean {
  try {
    codec.read(new JuteReader(bytes));
    return true;
  } catch (e) {
    if (e instanceof ProtocolError) return false;
    throw e;
  }
}

const writer = new JuteWriter();

/** Encodes into a fresh copy, so the property can mutate it. */
export function encodeCopy(codec: RecordCodec<unknown>, value: unknown): Buffer {
  codec.write(writer, value);
  return Buffer.from(writer.finish());
}

/**
 * Most fuzz inputs make the decoder throw; capturing a stack trace for each would make the
 * stack capture, not the decoder, the bulk of the suite's time.
 */
export function withoutStackTraces(): void {
  let saved = Error.stackTraceLimit;
  beforeAll(() => {
    saved = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
  });
  afterAll(() => {
    Error.stackTraceLimit = saved;
  });
}

/**
 * For each entry: encode an arbitrary valid value, cut it short at a random point (must throw
 * ProtocolError, except a missing optional last byte) and also overwrite one random byte of the full
 * encoding (must return or throw ProtocolError).
 */
export function fuzzTruncatedEncodings(entries: readonly CatalogEntry[]): void {
  withoutStackTraces();
  describe.each(entries)('$name decoder', ({ codec, arb, optionalLastByte }) => {
    it(`rejects ${FUZZ_RUNS} truncated valid encodings and survives corrupted ones`, () => {
      fc.assert(
        fc.property(
          arb,
          fc.nat(),
          fc.nat(),
          fc.integer({ min: 0, max: 255 }),
          (value, n, at, byte) => {
            const encoded = encodeCopy(codec, value);
            const cut = n % encoded.length;
            const truncatedOk = decodes(codec, encoded.subarray(0, cut));
            encoded[at % encoded.length] = byte;
            decodes(codec, encoded);
            return truncatedOk === (optionalLastByte && cut === encoded.length - 1);
          },
        ),
        { numRuns: FUZZ_RUNS },
      );
    });
  });
}

import { Buffer } from 'node:buffer';
import fc from 'fast-check';
import { describe, it } from 'vitest';
import { catalog } from './catalog.js';
import { FUZZ_RUNS, decodes, withoutStackTraces } from './fuzz-helpers.js';

describe('every decoder on random bytes', () => {
  withoutStackTraces();

  // One input feeds every decoder: each of them sees FUZZ_RUNS arrays at a fraction of the cost of
  // one property per decoder. A failure names the decoder.
  it(`returns or throws ProtocolError for ${FUZZ_RUNS} random byte arrays`, () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (input) => {
        for (const { name, codec } of catalog) {
          try {
            decodes(codec, input);
          } catch (e) {
            throw new Error(`${name} decoder threw a non-ProtocolError`, { cause: e });
          }
        }
      }),
      { numRuns: FUZZ_RUNS },
    );
  });

  it(`survives ${FUZZ_RUNS} random arrays made mostly of small lengths`, () => {
    // Random bytes rarely form plausible lengths; int32 values in -2…40 exercise the length checks.
    const smallInts = fc.array(fc.integer({ min: -2, max: 40 }), { maxLength: 16 }).map((ints) => {
      const b = Buffer.alloc(ints.length * 4);
      ints.forEach((v, i) => b.writeInt32BE(v, i * 4));
      return b;
    });
    fc.assert(
      fc.property(smallInts, (input) => {
        for (const { codec } of catalog) decodes(codec, input);
      }),
      { numRuns: FUZZ_RUNS },
    );
  });
});

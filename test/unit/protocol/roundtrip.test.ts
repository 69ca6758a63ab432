import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { catalog } from './catalog.js';
import { decode, encode } from './codec-cases.js';

describe.each(catalog)('$name', ({ codec, arb }) => {
  it('round-trips arbitrary values: decode(encode(v)) equals v', () => {
    fc.assert(
      fc.property(arb, (value) => {
        expect(decode(codec, encode(codec, value))).toEqual(value);
      }),
      { numRuns: 300 },
    );
  });
});

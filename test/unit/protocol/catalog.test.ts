import { Buffer } from 'node:buffer';
import { describe, expect, it, vi } from 'vitest';
import { catalog, exportedCodecNames } from './catalog.js';
import { decodes } from './fuzz-helpers.js';

describe('fuzz catalog', () => {
  it('covers every record codec the protocol layer exports', () => {
    expect(catalog.map((e) => e.name).sort()).toEqual(exportedCodecNames());
    expect(catalog.length).toBeGreaterThanOrEqual(53);
  });
});

describe.each(catalog)('$name decoder', ({ codec }) => {
  it('meets 2^31-1 lengths and counts without allocating for them', () => {
    // Every int in this input is 0x7fffffff, so whatever field comes first is enormous.
    const input = Buffer.alloc(64);
    for (let i = 0; i < 64; i += 4) input.writeInt32BE(2 ** 31 - 1, i);
    const allocUnsafe = vi.spyOn(Buffer, 'allocUnsafe');
    try {
      const started = performance.now();
      decodes(codec, input);
      expect(performance.now() - started).toBeLessThan(50);
      for (const [size] of allocUnsafe.mock.calls) expect(size).toBeLessThanOrEqual(input.length);
    } finally {
      allocUnsafe.mockRestore();
    }
  });
});

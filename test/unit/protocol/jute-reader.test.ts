import { Buffer } from 'node:buffer';
import { describe, expect, it, vi } from 'vitest';
import { GetDataResponse, JuteReader, ProtocolError } from '../../../src/protocol/index.js';
import { bytes, int, long, raw, ustring } from './bytes.js';

const reader = (...parts: Uint8Array[]) => new JuteReader(bytes(...parts));

describe('JuteReader primitives', () => {
  it('reads ints, longs and booleans', () => {
    const r = reader(int(-2), long(-(2n ** 63n)), raw(0, 1, 0x80));
    expect(r.int()).toBe(-2);
    expect(r.long()).toBe(-(2n ** 63n));
    expect([r.bool(), r.bool(), r.bool()]).toEqual([false, true, true]);
    expect(r.remaining).toBe(0);
    expect(r.offset).toBe(15);
    r.expectEnd();
  });

  it('reads null and empty buffers and strings', () => {
    const r = reader(int(-1), int(0), int(-1), int(0), ustring('ü'));
    expect(r.buffer()).toBeNull();
    expect(r.buffer()).toEqual(Buffer.alloc(0));
    expect(r.nullableUstring()).toBeNull();
    expect(r.ustring()).toBe('');
    expect(r.ustring()).toBe('ü');
  });

  it('ustring() rejects null', () => {
    expect(() => reader(int(-1)).ustring()).toThrow(ProtocolError);
  });

  it('decodes invalid UTF-8 leniently, like Java', () => {
    expect(reader(int(1), raw(0xff)).ustring()).toBe('\ufffd');
  });

  it('buffer() returns a copy that does not share memory with the input', () => {
    const src = bytes(int(3), raw(1, 2, 3));
    const out = new JuteReader(src).buffer()!;
    src.fill(0);
    expect(out).toEqual(raw(1, 2, 3));
  });

  it('reads vectors; -1 is empty', () => {
    const r = reader(int(2), ustring('a'), ustring('b'), int(-1), int(0));
    expect(r.vector((ir) => ir.ustring(), 4)).toEqual(['a', 'b']);
    expect(r.vector((ir) => ir.int())).toEqual([]);
    expect(r.vector((ir) => ir.int())).toEqual([]);
  });

  it('accepts a plain Uint8Array and respects the window', () => {
    const src = new Uint8Array([0, 0, 0, 0, 5, 0, 0, 0, 6, 9]);
    const r = new JuteReader(src.subarray(1), 4, 8);
    expect(r.int()).toBe(6);
    expect(() => r.bool()).toThrow(ProtocolError);
  });

  it('rejects an invalid window', () => {
    expect(() => new JuteReader(raw(1, 2), 3)).toThrow(ProtocolError);
    expect(() => new JuteReader(raw(1, 2), 0, 3)).toThrow(ProtocolError);
    expect(() => new JuteReader(raw(1, 2), 2, 1)).toThrow(ProtocolError);
  });

  it('expectEnd reports trailing bytes', () => {
    expect(() => {
      reader(raw(1)).expectEnd();
    }).toThrow(/1 unexpected trailing bytes/);
  });
});

describe('JuteReader on malformed input', () => {
  it.each([
    ['int', (r: JuteReader) => r.int(), raw(1, 2, 3)],
    ['long', (r: JuteReader) => r.long(), raw(1, 2, 3, 4, 5, 6, 7)],
    ['bool', (r: JuteReader) => r.bool(), raw()],
    ['buffer length', (r: JuteReader) => r.buffer(), raw(0, 0)],
    ['buffer body', (r: JuteReader) => r.buffer(), bytes(int(3), raw(1, 2))],
    ['buffer length -2', (r: JuteReader) => r.buffer(), int(-2)],
    ['ustring body', (r: JuteReader) => r.ustring(), bytes(int(5), raw(0x61))],
    ['ustring length -2', (r: JuteReader) => r.nullableUstring(), int(-2)],
    ['vector count -2', (r: JuteReader) => r.vector((ir) => ir.int()), int(-2)],
    ['vector items', (r: JuteReader) => r.vector((ir) => ir.int()), bytes(int(2), int(1))],
    [
      'vector minItemSize',
      (r: JuteReader) => r.vector((ir) => ir.bool(), 2),
      bytes(int(2), raw(1, 1)),
    ],
  ])('truncated/invalid %s → ProtocolError', (_name, read, input) => {
    expect(() => read(new JuteReader(input))).toThrow(ProtocolError);
  });

  it('rejects a 2^31-1 length on a tiny buffer without allocating', () => {
    const huge = bytes(int(2 ** 31 - 1), raw(1, 2, 3));
    const alloc = vi.spyOn(Buffer, 'allocUnsafe');
    const allocSlow = vi.spyOn(Buffer, 'allocUnsafeSlow');
    const plainAlloc = vi.spyOn(Buffer, 'alloc');
    try {
      expect(() => new JuteReader(huge).buffer()).toThrow(ProtocolError);
      expect(() => new JuteReader(huge).ustring()).toThrow(ProtocolError);
      expect(() => GetDataResponse.read(new JuteReader(huge))).toThrow(ProtocolError);
      expect(alloc).not.toHaveBeenCalled();
      expect(allocSlow).not.toHaveBeenCalled();
      expect(plainAlloc).not.toHaveBeenCalled();
    } finally {
      alloc.mockRestore();
      allocSlow.mockRestore();
      plainAlloc.mockRestore();
    }
  });

  it('rejects a 2^31-1 vector count before reading any item', () => {
    const readItem = vi.fn((r: JuteReader) => r.bool());
    const started = performance.now();
    expect(() => new JuteReader(bytes(int(2 ** 31 - 1), raw(1, 1))).vector(readItem)).toThrow(
      /exceeds the 2 bytes that remain/,
    );
    expect(readItem).not.toHaveBeenCalled();
    expect(performance.now() - started).toBeLessThan(50);
  });
});

import { Buffer } from 'node:buffer';
import { describe, expect, it } from 'vitest';
import { JuteWriter, ProtocolError } from '../../../src/protocol/index.js';
import { bool, buffer, bytes, int, long, raw, ustring } from './bytes.js';

describe('JuteWriter primitives', () => {
  it('writes big-endian ints, longs and booleans', () => {
    const w = new JuteWriter();
    w.int(1)
      .int(-1)
      .long(2n)
      .long(-(2n ** 63n))
      .bool(true)
      .bool(false);
    expect(w.length).toBe(26);
    expect(w.finish()).toEqual(
      bytes(
        int(1),
        raw(0xff, 0xff, 0xff, 0xff),
        long(2n),
        raw(0x80, 0, 0, 0, 0, 0, 0, 0),
        raw(1),
        raw(0),
      ),
    );
  });

  it('writes null buffer, ustring and vector as -1', () => {
    const w = new JuteWriter();
    w.buffer(null)
      .ustring(null)
      .vector(null, () => undefined);
    expect(w.finish()).toEqual(bytes(int(-1), int(-1), int(-1)));
  });

  it('writes lengths in UTF-8 bytes', () => {
    const w = new JuteWriter();
    w.ustring('')
      .ustring('/ä€😀')
      .buffer(Buffer.from([9, 8]));
    expect(w.finish()).toEqual(bytes(int(0), ustring('/ä€😀'), buffer(Buffer.from([9, 8]))));
  });

  it('writes vectors with a count', () => {
    const w = new JuteWriter();
    w.vector(['a', 'b'], (iw, s) => iw.ustring(s)).vector([], () => undefined);
    expect(w.finish()).toEqual(bytes(int(2), ustring('a'), ustring('b'), int(0)));
  });

  it.each([2 ** 31, -(2 ** 31) - 1, 1.5, Number.NaN, Infinity])('rejects int %s', (v) => {
    expect(() => new JuteWriter().int(v)).toThrow(ProtocolError);
  });

  it.each([2n ** 63n, -(2n ** 63n) - 1n])('rejects long %s', (v) => {
    expect(() => new JuteWriter().long(v)).toThrow(ProtocolError);
  });

  it('rejects a number passed as long', () => {
    expect(() => new JuteWriter().long(1 as unknown as bigint)).toThrow(ProtocolError);
  });

  it('accepts the int and long extremes', () => {
    const w = new JuteWriter();
    w.int(2 ** 31 - 1)
      .int(-(2 ** 31))
      .long(2n ** 63n - 1n);
    expect(w.finish()).toEqual(bytes(int(2 ** 31 - 1), int(-(2 ** 31)), long(2n ** 63n - 1n)));
  });
});

describe('JuteWriter buffer management', () => {
  it('grows past its initial size', () => {
    const w = new JuteWriter(4);
    const big = Buffer.alloc(10_000, 7);
    w.int(1).buffer(big).bool(true);
    expect(w.finish()).toEqual(bytes(int(1), buffer(big), bool(true)));
  });

  it('finish() returns bytes that later writes never change', () => {
    const w = new JuteWriter(64);
    w.int(0x01020304);
    const first = w.finish();
    expect(w.length).toBe(0);
    w.int(0x05060708);
    const second = w.finish();
    w.int(-1).truncate(0);
    w.buffer(Buffer.alloc(1000, 0xee)); // forces a new buffer
    const third = w.finish();
    expect(first).toEqual(int(0x01020304));
    expect(second).toEqual(int(0x05060708));
    expect(third).toEqual(buffer(Buffer.alloc(1000, 0xee)));
  });

  it('keeps the current message when growing after a finish', () => {
    const w = new JuteWriter(16);
    w.int(1).int(2).int(3);
    const first = w.finish();
    w.int(4).buffer(Buffer.alloc(40, 1));
    expect(w.finish()).toEqual(bytes(int(4), buffer(Buffer.alloc(40, 1))));
    expect(first).toEqual(bytes(int(1), int(2), int(3)));
  });

  it('finish() on an empty writer returns an empty buffer', () => {
    expect(new JuteWriter().finish().length).toBe(0);
  });

  it('rejects a bad initial size', () => {
    expect(() => new JuteWriter(0)).toThrow(ProtocolError);
  });
});

describe('JuteWriter frames', () => {
  it('beginFrame/endFrame patch the length of what follows', () => {
    const w = new JuteWriter();
    const start = w.beginFrame();
    w.int(7).int(4).ustring('/a');
    expect(w.endFrame(start)).toBe(14);
    expect(w.finish()).toEqual(bytes(int(14), int(7), int(4), ustring('/a')));
  });

  it('frames several messages back to back, offsets relative to the unfinished message', () => {
    const w = new JuteWriter(8);
    w.int(99);
    w.finish();
    const a = w.beginFrame();
    w.bool(true);
    expect(w.endFrame(a)).toBe(1);
    const b = w.beginFrame();
    expect(b).toBe(5);
    w.buffer(Buffer.alloc(100));
    expect(w.endFrame(b)).toBe(104);
    expect(w.finish()).toEqual(bytes(int(1), raw(1), int(104), buffer(Buffer.alloc(100))));
  });

  it('truncate rolls back a frame that is too large', () => {
    const w = new JuteWriter();
    const a = w.beginFrame();
    w.int(1);
    w.endFrame(a);
    const b = w.beginFrame();
    w.buffer(Buffer.alloc(5000));
    expect(w.endFrame(b)).toBe(5004);
    w.truncate(b);
    expect(w.length).toBe(8);
    expect(w.finish()).toEqual(bytes(int(4), int(1)));
  });

  it('rejects offsets outside the current message', () => {
    const w = new JuteWriter();
    w.int(1);
    expect(() => {
      w.truncate(5);
    }).toThrow(ProtocolError);
    expect(() => {
      w.truncate(-1);
    }).toThrow(ProtocolError);
    expect(() => w.endFrame(1)).toThrow(ProtocolError);
  });
});

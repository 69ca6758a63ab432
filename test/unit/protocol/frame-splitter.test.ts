import { Buffer } from 'node:buffer';
import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { FrameSplitter, ProtocolError } from '../../../src/protocol/index.js';
import { bytes, int, raw } from './bytes.js';

const frame = (body: Buffer) => bytes(int(body.length), body);

function split(splitter: FrameSplitter, chunks: readonly Buffer[]): Buffer[] {
  const frames: Buffer[] = [];
  for (const chunk of chunks) splitter.push(chunk, (f) => frames.push(f));
  return frames;
}

function chunksOf(data: Buffer, size: number): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < data.length; i += size) out.push(data.subarray(i, i + size));
  return out;
}

describe('FrameSplitter', () => {
  it('splits many frames out of one chunk, as views of that chunk', () => {
    const bodies = [raw(1), raw(), raw(2, 3), Buffer.alloc(100, 4)];
    const chunk = bytes(...bodies.map(frame));
    const frames = split(new FrameSplitter(1000), [chunk]);
    expect(frames).toEqual(bodies);
    expect(frames.every((f) => f.buffer === chunk.buffer)).toBe(true);
  });

  it('reassembles one frame split into single bytes (prefix included)', () => {
    const body = Buffer.from('a frame split byte by byte');
    const s = new FrameSplitter(1000);
    const frames = split(s, chunksOf(frame(body), 1));
    expect(frames).toEqual([body]);
    expect(s.buffered).toBe(0);
  });

  it('handles frames that start and end mid-chunk, at every split point', () => {
    const bodies = [Buffer.from('first'), raw(), Buffer.from('second frame'), raw(9)];
    const stream = bytes(...bodies.map(frame));
    for (let size = 1; size <= stream.length; size++) {
      expect(split(new FrameSplitter(100), chunksOf(stream, size))).toEqual(bodies);
    }
  });

  it('reports buffered bytes', () => {
    const s = new FrameSplitter(100);
    const onFrame = vi.fn();
    s.push(raw(0, 0), onFrame);
    expect(s.buffered).toBe(2);
    s.push(raw(0, 3, 1), onFrame);
    expect(s.buffered).toBe(1);
    s.push(raw(2, 3, 0), onFrame);
    expect(onFrame).toHaveBeenCalledWith(raw(1, 2, 3));
    expect(s.buffered).toBe(1);
    s.push(Buffer.alloc(0), onFrame);
    expect(s.buffered).toBe(1);
  });

  it('joins a 1 MiB + 37 byte frame from 64 KiB chunks with a single concat', () => {
    const body = Buffer.alloc(1_048_576 + 37);
    for (let i = 0; i < body.length; i++) body[i] = i % 251;
    const chunks = chunksOf(frame(body), 64 * 1024);
    const concat = vi.spyOn(Buffer, 'concat');
    try {
      const frames = split(new FrameSplitter(1_048_575 + 4096), chunks);
      expect(frames).toHaveLength(1);
      expect(frames[0]!.equals(body)).toBe(true);
      expect(concat).toHaveBeenCalledTimes(1);
    } finally {
      concat.mockRestore();
    }
  });

  it('accepts a frame of exactly maxFrameSize and rejects one byte more before buffering it', () => {
    expect(split(new FrameSplitter(3), [frame(raw(1, 2, 3))])).toEqual([raw(1, 2, 3)]);
    const s = new FrameSplitter(3);
    expect(() => {
      s.push(bytes(int(4), raw(1)), () => undefined);
    }).toThrow(ProtocolError);
    expect(s.buffered).toBe(0);
  });

  it('rejects a huge length without buffering', () => {
    const s = new FrameSplitter(1_052_671);
    expect(() => {
      s.push(int(2 ** 31 - 1), () => undefined);
    }).toThrow(/frame length 2147483647/);
    expect(s.buffered).toBe(0);
  });

  it('rejects a negative length, also when the prefix is split', () => {
    expect(() => {
      new FrameSplitter(10).push(int(-1), () => undefined);
    }).toThrow(ProtocolError);
    const s = new FrameSplitter(10);
    s.push(raw(0xff, 0xff), () => undefined);
    expect(() => {
      s.push(raw(0xff, 0xfe), () => undefined);
    }).toThrow(ProtocolError);
  });

  it('lets an error thrown by onFrame propagate', () => {
    const s = new FrameSplitter(10);
    const boom = new Error('boom');
    expect(() => {
      s.push(frame(raw(1)), () => {
        throw boom;
      });
    }).toThrow(boom);
    s.push(raw(0, 0, 0), () => undefined);
    expect(() => {
      s.push(raw(1, 5), () => {
        throw boom;
      });
    }).toThrow(boom);
    expect(s.buffered).toBe(0);
  });

  it('rejects an invalid maxFrameSize', () => {
    expect(() => new FrameSplitter(-1)).toThrow(ProtocolError);
    expect(() => new FrameSplitter(Number.NaN)).toThrow(ProtocolError);
  });

  it('yields the same frames however the stream is cut (property)', () => {
    const bodies = fc.array(
      fc.uint8Array({ maxLength: 40 }).map((u) => Buffer.from(u)),
      { maxLength: 8 },
    );
    const cuts = fc.array(fc.integer({ min: 1, max: 50 }), { minLength: 1, maxLength: 10 });
    fc.assert(
      fc.property(bodies, cuts, (frames, sizes) => {
        const stream = bytes(...frames.map(frame));
        const chunks: Buffer[] = [];
        for (let pos = 0, i = 0; pos < stream.length; i++) {
          const size = sizes[i % sizes.length]!;
          chunks.push(stream.subarray(pos, pos + size));
          pos += size;
        }
        const s = new FrameSplitter(40);
        expect(split(s, chunks)).toEqual(frames);
        expect(s.buffered).toBe(0);
      }),
      { numRuns: 1000 },
    );
  });
});

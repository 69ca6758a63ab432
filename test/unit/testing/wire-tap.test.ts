import { Buffer } from 'node:buffer';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ConnectRequest,
  ConnectResponse,
  JuteWriter,
  OpCode,
  ReplyHeader,
  RequestHeader,
  WatcherEvent,
  Xid,
} from '../../../src/protocol/index.js';
import {
  clientTap,
  countClientFrame,
  countServerFrame,
  emptyCounts,
  serverTap,
} from '../../../src/testing/wire-tap.js';

// The proxy's frame tap: what it reports must not depend on how TCP cut the stream.

function frame(write: (w: JuteWriter) => void): Buffer {
  const w = new JuteWriter();
  const start = w.beginFrame();
  write(w);
  w.endFrame(start);
  return w.finish();
}

const request = (xid: number, type: number): Buffer =>
  frame((w) => {
    RequestHeader.write(w, { xid, type });
  });

const clientStream = Buffer.concat([
  frame((w) => {
    ConnectRequest.write(w, {
      protocolVersion: 0,
      lastZxidSeen: 0n,
      timeOut: 30_000,
      sessionId: 0n,
      passwd: Buffer.alloc(16),
      readOnly: false,
    });
  }),
  request(Xid.ping, OpCode.ping),
  request(1, OpCode.getData),
  request(Xid.auth, OpCode.auth),
  request(2, OpCode.create2),
]);

const serverStream = Buffer.concat([
  frame((w) => {
    ConnectResponse.write(w, {
      protocolVersion: 0,
      timeOut: 30_000,
      sessionId: 7n,
      passwd: Buffer.alloc(16),
      readOnly: false,
    });
  }),
  frame((w) => {
    ReplyHeader.write(w, { xid: Xid.ping, zxid: 1n, err: 0 });
  }),
  frame((w) => {
    ReplyHeader.write(w, { xid: Xid.notification, zxid: -1n, err: 0 });
    WatcherEvent.write(w, { type: 3, state: 3, path: '/a' });
  }),
  frame((w) => {
    ReplyHeader.write(w, { xid: 1, zxid: 2n, err: 0 });
    w.buffer(Buffer.alloc(70_000));
  }),
]);

function cut(stream: Buffer, points: readonly number[]): Buffer[] {
  const sorted = [...new Set(points)].sort((a, b) => a - b);
  const chunks: Buffer[] = [];
  let from = 0;
  for (const at of [...sorted, stream.length]) {
    chunks.push(stream.subarray(from, at));
    from = at;
  }
  return chunks;
}

/** Stream offsets where each frame starts and ends, from the placements the tap reports. */
function tapAll<F extends { start: number; end: number }>(
  tap: { frames(chunk: Buffer): F[] },
  chunks: readonly Buffer[],
): { frames: F[]; spans: [number, number][] } {
  const frames: F[] = [];
  const spans: [number, number][] = [];
  let offset = 0;
  for (const chunk of chunks) {
    for (const frame of tap.frames(chunk)) {
      frames.push(frame);
      spans.push([offset + frame.start, offset + frame.end]);
    }
    offset += chunk.length;
  }
  return { frames, spans };
}

describe('wire tap', () => {
  it('counts the same frames and places them the same, however the stream is cut', () => {
    const whole = tapAll(clientTap(), [clientStream]);
    const counts = emptyCounts();
    for (const f of whole.frames) countClientFrame(counts.clientToServer, f);
    expect(counts.clientToServer).toEqual({
      frames: 5,
      connects: 1,
      requests: 2,
      pings: 1,
      auth: 1,
      byOpcode: { [OpCode.ping]: 1, [OpCode.getData]: 1, [OpCode.auth]: 1, [OpCode.create2]: 1 },
    });
    fc.assert(
      fc.property(fc.array(fc.nat(clientStream.length), { maxLength: 12 }), (points) => {
        const split = tapAll(clientTap(), cut(clientStream, points));
        expect(split.spans).toEqual(whole.spans);
        expect(split.frames.map((f) => f.kind)).toEqual(whole.frames.map((f) => f.kind));
      }),
    );
  });

  it('tells notifications, pings and replies apart in byte-sized chunks', () => {
    const { frames, spans } = tapAll(serverTap(), cut(serverStream, [...serverStream.keys()]));
    const counts = emptyCounts();
    for (const f of frames) countServerFrame(counts.serverToClient, f);
    expect(counts.serverToClient).toEqual({
      frames: 4,
      connects: 1,
      replies: 1,
      notifications: 1,
      pings: 1,
      auth: 0,
    });
    expect(spans.at(-1)?.[1]).toBe(serverStream.length);
  });

  it('gives up quietly on a four-letter word and what follows', () => {
    const tap = clientTap();
    expect(tap.frames(Buffer.from('ruok'))).toEqual([]);
    expect(tap.frames(clientStream)).toEqual([]);
  });
});

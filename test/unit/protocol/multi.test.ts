import { Buffer } from 'node:buffer';
import { describe, expect, it } from 'vitest';
import {
  JuteReader,
  JuteWriter,
  MultiRequest,
  MultiResponse,
  ProtocolError,
} from '../../../src/protocol/index.js';
import type { ACL, MultiOp, MultiResult } from '../../../src/protocol/index.js';
import { bool, buffer, bytes, int, long, sampleStat, statBytes, ustring, vector } from './bytes.js';
import { checkCases, decode, wire } from './codec-cases.js';

const header = (type: number, done: boolean, err: number) => bytes(int(type), bool(done), int(err));
const op = (type: number) => header(type, false, -1);
const ok = (type: number) => header(type, false, 0);
const terminator = header(-1, true, -1);

const open: ACL = { perms: 31, id: { scheme: 'world', id: 'anyone' } };
const openBytes = vector([bytes(int(31), ustring('world'), ustring('anyone'))]);
const data = Buffer.from('v');
const stat = statBytes(sampleStat);

describe('MultiRequest', () => {
  const writes: MultiOp[] = [
    { type: 1, request: { path: '/a', data, acl: [open], flags: 0 } },
    { type: 15, request: { path: '/b', data: null, acl: [open], flags: 1 } },
    { type: 19, request: { path: '/c', data: null, acl: [open], flags: 4 } },
    { type: 21, request: { path: '/t', data: null, acl: [open], flags: 5, ttl: 1000n } },
    { type: 2, request: { path: '/d', version: -1 } },
    { type: 5, request: { path: '/a', data, version: 0 } },
    { type: 13, request: { path: '/lock', version: 3 } },
  ];
  const writesBytes = bytes(
    op(1),
    ustring('/a'),
    buffer(data),
    openBytes,
    int(0),
    op(15),
    ustring('/b'),
    int(-1),
    openBytes,
    int(1),
    op(19),
    ustring('/c'),
    int(-1),
    openBytes,
    int(4),
    op(21),
    ustring('/t'),
    int(-1),
    openBytes,
    int(5),
    long(1000n),
    op(2),
    ustring('/d'),
    int(-1),
    op(5),
    ustring('/a'),
    buffer(data),
    int(0),
    op(13),
    ustring('/lock'),
    int(3),
    terminator,
  );
  const reads: MultiOp[] = [
    { type: 4, request: { path: '/a', watch: false } },
    { type: 8, request: { path: '/', watch: false } },
  ];
  const readsBytes = bytes(
    op(4),
    ustring('/a'),
    bool(false),
    op(8),
    ustring('/'),
    bool(false),
    terminator,
  );

  checkCases([
    wire(
      'every write op, headers {type, false, -1}, then {-1, true, -1}',
      MultiRequest,
      writes,
      writesBytes,
    ),
    wire('multiRead ops', MultiRequest, reads, readsBytes),
    wire('an empty multi is just the terminator', MultiRequest, [], terminator),
  ]);

  it('rejects an unknown op type on both sides', () => {
    const w = new JuteWriter();
    const bogus = { type: 3, request: { path: '/a', watch: false } } as unknown as MultiOp;
    expect(() => {
      MultiRequest.write(w, [bogus]);
    }).toThrow(ProtocolError);
    const b = bytes(op(3), ustring('/a'), bool(false), terminator);
    expect(() => MultiRequest.read(new JuteReader(b))).toThrow(ProtocolError);
  });
});

describe('MultiResponse', () => {
  const success: MultiResult[] = [
    { type: 1, path: '/a' },
    { type: 15, path: '/b', stat: sampleStat },
    { type: 2 },
    { type: 5, stat: sampleStat },
    { type: 13 },
  ];
  const successBytes = bytes(
    ok(1),
    ustring('/a'),
    ok(15),
    ustring('/b'),
    stat,
    ok(2),
    ok(5),
    stat,
    ok(13),
    terminator,
  );

  // [probe] a failed multi: ops before the failing one err 0, the failing one its code, later ones -2.
  const failed: MultiResult[] = [
    { type: -1, err: 0 },
    { type: -1, err: -101 },
    { type: -1, err: -2 },
  ];
  const failedBytes = bytes(
    header(-1, false, 0),
    int(0),
    header(-1, false, -101),
    int(-101),
    header(-1, false, -2),
    int(-2),
    terminator,
  );

  const multiRead: MultiResult[] = [
    { type: 4, data, stat: sampleStat },
    { type: 4, data: null, stat: sampleStat },
    { type: 8, children: ['x', 'y'] },
    { type: -1, err: -101 },
  ];
  const multiReadBytes = bytes(
    ok(4),
    buffer(data),
    stat,
    ok(4),
    int(-1),
    stat,
    ok(8),
    vector([ustring('x'), ustring('y')]),
    header(-1, false, -101),
    int(-101),
    terminator,
  );

  checkCases([
    wire('successful multi', MultiResponse, success, successBytes),
    wire(
      'failed multi: every result is type -1 with err 0 / code / -2',
      MultiResponse,
      failed,
      failedBytes,
    ),
    wire('multiRead with a failed op', MultiResponse, multiRead, multiReadBytes),
    wire('empty multi', MultiResponse, [], terminator),
  ]);

  it('3.8.0 answers a create2 op with a type-1 result without Stat', () => {
    const b = bytes(ok(1), ustring('/a'), ok(2), terminator);
    expect(decode(MultiResponse, b)).toEqual([{ type: 1, path: '/a' }, { type: 2 }]);
  });

  it('decodes by the result type, ignoring the err in the header of a success', () => {
    const b = bytes(header(2, false, 123), terminator);
    expect(decode(MultiResponse, b)).toEqual([{ type: 2 }]);
  });

  it('type-4 data is a Buffer copy', () => {
    const frame = Buffer.from(multiReadBytes);
    const [first] = decode(MultiResponse, frame);
    frame.fill(0);
    expect(first).toEqual({ type: 4, data, stat: sampleStat });
  });

  it('an unknown result type is a ProtocolError', () => {
    const b = bytes(ok(3), stat, terminator);
    expect(() => MultiResponse.read(new JuteReader(b))).toThrow(/unknown multi result type 3/);
  });

  it('a missing terminator is a ProtocolError', () => {
    expect(() => MultiResponse.read(new JuteReader(bytes(ok(2))))).toThrow(ProtocolError);
    expect(() => MultiResponse.read(new JuteReader(bytes(ok(2), int(-1))))).toThrow(ProtocolError);
    expect(() => MultiResponse.read(new JuteReader(Buffer.alloc(0)))).toThrow(ProtocolError);
  });

  it('the 9-byte terminator after a -5 reply header reads as no results', () => {
    expect(decode(MultiResponse, terminator)).toEqual([]);
  });
});

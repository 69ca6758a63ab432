import { Buffer } from 'node:buffer';
import { describe, expect, it } from 'vitest';
import {
  ACL,
  AuthPacket,
  ClientInfo,
  ConnectRequest,
  ConnectResponse,
  ErrorResponse,
  GetSASLRequest,
  Id,
  JuteReader,
  MultiHeader,
  ProtocolError,
  ReplyHeader,
  RequestHeader,
  SetSASLRequest,
  SetSASLResponse,
  Stat,
  WatcherEvent,
} from '../../../src/protocol/index.js';
import { bool, buffer, bytes, int, long, sampleStat, statBytes, ustring } from './bytes.js';
import { checkCases, decode, encode, wire } from './codec-cases.js';

const passwd = Buffer.from('0123456789abcdef');

describe('data records', () => {
  checkCases([
    wire('Id', Id, { scheme: 'world', id: 'anyone' }, bytes(ustring('world'), ustring('anyone'))),
    wire(
      'ACL',
      ACL,
      { perms: 31, id: { scheme: 'digest', id: 'bob:x' } },
      bytes(int(31), ustring('digest'), ustring('bob:x')),
    ),
    wire('Stat', Stat, sampleStat, statBytes(sampleStat)),
    wire(
      'ClientInfo',
      ClientInfo,
      { authScheme: 'ip', user: '127.0.0.1' },
      bytes(ustring('ip'), ustring('127.0.0.1')),
    ),
  ]);

  it('Stat is 68 bytes, fields in jute order', () => {
    const encoded = encode(Stat, sampleStat);
    expect(encoded.length).toBe(68);
    expect(encoded.readBigInt64BE(0)).toBe(sampleStat.czxid);
    expect(encoded.readInt32BE(32)).toBe(sampleStat.version);
    expect(encoded.readBigInt64BE(44)).toBe(sampleStat.ephemeralOwner);
    expect(encoded.readBigInt64BE(60)).toBe(sampleStat.pzxid);
  });

  it('a null string in a required field is malformed', () => {
    expect(() => Id.read(new JuteReader(bytes(ustring(null), ustring('x'))))).toThrow(
      ProtocolError,
    );
  });
});

describe('handshake', () => {
  const request: ConnectRequest = {
    protocolVersion: 0,
    lastZxidSeen: 0x42n,
    timeOut: 30_000,
    sessionId: 0x1234n,
    passwd,
    readOnly: true,
  };
  const requestBytes = bytes(
    int(0),
    long(0x42n),
    int(30_000),
    long(0x1234n),
    buffer(passwd),
    bool(true),
  );
  const response: ConnectResponse = {
    protocolVersion: 0,
    timeOut: 4000,
    sessionId: 0x100000abcn,
    passwd,
    readOnly: false,
  };
  const responseBytes = bytes(int(0), int(4000), long(0x100000abcn), buffer(passwd), bool(false));

  checkCases([
    wire('ConnectRequest (new session)', ConnectRequest, request, requestBytes),
    wire('ConnectResponse', ConnectResponse, response, responseBytes),
    wire(
      'ConnectResponse from a read-only server',
      ConnectResponse,
      { ...response, readOnly: true },
      bytes(responseBytes.subarray(0, 36), bool(true)),
    ),
    wire(
      'ConnectResponse of an invalid session',
      ConnectResponse,
      { protocolVersion: 0, timeOut: 0, sessionId: 0n, passwd: Buffer.alloc(16), readOnly: false },
      bytes(int(0), int(0), long(0n), buffer(Buffer.alloc(16)), bool(false)),
    ),
  ]);

  it('ConnectRequest body is 45 bytes and always ends with readOnly', () => {
    expect(requestBytes.length).toBe(45);
    const encoded = encode(ConnectRequest, { ...request, readOnly: false });
    expect(encoded.length).toBe(45);
    expect(encoded[44]).toBe(0);
  });

  it('ConnectRequest without the readOnly byte (an old client) reads as false', () => {
    expect(decode(ConnectRequest, requestBytes.subarray(0, 44))).toEqual({
      ...request,
      readOnly: false,
    });
  });

  it('ConnectResponse body is 37 bytes; 36 (no readOnly) reads as readOnly false', () => {
    expect(responseBytes.length).toBe(37);
    const withRo = bytes(responseBytes.subarray(0, 36), bool(true));
    expect(decode(ConnectResponse, withRo.subarray(0, 36))).toEqual(response);
  });

  it('any non-zero readOnly byte is true', () => {
    const b = bytes(responseBytes.subarray(0, 36), Buffer.from([0x7f]));
    expect(decode(ConnectResponse, b).readOnly).toBe(true);
  });

  it('a null passwd is -1', () => {
    const b = encode(ConnectRequest, { ...request, passwd: null });
    expect(b).toEqual(bytes(int(0), long(0x42n), int(30_000), long(0x1234n), int(-1), bool(true)));
    expect(decode(ConnectRequest, b).passwd).toBeNull();
  });
});

describe('headers', () => {
  checkCases([
    wire('RequestHeader', RequestHeader, { xid: 7, type: 4 }, bytes(int(7), int(4))),
    wire('RequestHeader ping', RequestHeader, { xid: -2, type: 11 }, bytes(int(-2), int(11))),
    wire(
      'ReplyHeader',
      ReplyHeader,
      { xid: 7, zxid: 0x2_0000_0010n, err: -101 },
      bytes(int(7), long(0x2_0000_0010n), int(-101)),
    ),
    wire(
      'ReplyHeader of a notification',
      ReplyHeader,
      { xid: -1, zxid: -1n, err: 0 },
      bytes(int(-1), long(-1n), int(0)),
    ),
    wire(
      'MultiHeader',
      MultiHeader,
      { type: 1, done: false, err: -1 },
      bytes(int(1), bool(false), int(-1)),
    ),
    wire(
      'MultiHeader terminator',
      MultiHeader,
      { type: -1, done: true, err: -1 },
      bytes(int(-1), bool(true), int(-1)),
    ),
  ]);

  it('sizes: RequestHeader 8, ReplyHeader 16, MultiHeader 9', () => {
    expect(encode(RequestHeader, { xid: 1, type: 1 }).length).toBe(8);
    expect(encode(ReplyHeader, { xid: 1, zxid: 1n, err: 0 }).length).toBe(16);
    expect(encode(MultiHeader, { type: 1, done: false, err: 0 }).length).toBe(9);
  });

  it('the read-only rejection is a 16-byte ReplyHeader {0, 0, -119}', () => {
    expect(decode(ReplyHeader, bytes(int(0), long(0n), int(-119)))).toEqual({
      xid: 0,
      zxid: 0n,
      err: -119,
    });
  });
});

describe('session records', () => {
  const token = Buffer.from([1, 2, 3]);
  checkCases([
    wire(
      'AuthPacket digest',
      AuthPacket,
      { type: 0, scheme: 'digest', auth: Buffer.from('bob:pw') },
      bytes(int(0), ustring('digest'), buffer(Buffer.from('bob:pw'))),
    ),
    wire(
      'AuthPacket null auth',
      AuthPacket,
      { type: 0, scheme: 'x', auth: null },
      bytes(int(0), ustring('x'), int(-1)),
    ),
    wire('GetSASLRequest', GetSASLRequest, { token }, buffer(token)),
    wire('GetSASLRequest empty token', GetSASLRequest, { token: Buffer.alloc(0) }, int(0)),
    wire('SetSASLRequest', SetSASLRequest, { token }, buffer(token)),
    wire('SetSASLResponse', SetSASLResponse, { token }, buffer(token)),
    wire('SetSASLResponse null token', SetSASLResponse, { token: null }, int(-1)),
    wire('ErrorResponse (addWatch reply)', ErrorResponse, { err: 0 }, int(0)),
    wire('ErrorResponse', ErrorResponse, { err: -101 }, int(-101)),
    wire(
      'WatcherEvent',
      WatcherEvent,
      { type: 3, state: 3, path: '/a/ü' },
      bytes(int(3), int(3), ustring('/a/ü')),
    ),
  ]);

  it('ustring lengths count UTF-8 bytes', () => {
    expect(encode(WatcherEvent, { type: 1, state: 3, path: '/ü€😀' }).readInt32BE(8)).toBe(
      1 + 2 + 3 + 4,
    );
  });
});

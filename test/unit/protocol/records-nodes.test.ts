import { Buffer } from 'node:buffer';
import { describe, expect, it } from 'vitest';
import {
  CheckVersionRequest,
  Create2Response,
  CreateRequest,
  CreateResponse,
  CreateTTLRequest,
  DEFAULT_MAX_REQUEST_FRAME,
  DEFAULT_MAX_RESPONSE_FRAME,
  DeleteRequest,
  ExistsRequest,
  ExistsResponse,
  GetACLRequest,
  GetACLResponse,
  GetChildren2Request,
  GetChildren2Response,
  GetChildrenRequest,
  GetChildrenResponse,
  GetDataRequest,
  GetDataResponse,
  ReplyHeader,
  RequestHeader,
  SetACLRequest,
  SetACLResponse,
  SetDataRequest,
  SetDataResponse,
  SyncRequest,
  SyncResponse,
} from '../../../src/protocol/index.js';
import type { ACL } from '../../../src/protocol/index.js';
import { bool, buffer, bytes, int, long, sampleStat, statBytes, ustring, vector } from './bytes.js';
import { checkCases, decode, encode, wire } from './codec-cases.js';

const open: ACL = { perms: 31, id: { scheme: 'world', id: 'anyone' } };
const readOnly: ACL = { perms: 1, id: { scheme: 'world', id: 'anyone' } };
const openBytes = bytes(int(31), ustring('world'), ustring('anyone'));
const readOnlyBytes = bytes(int(1), ustring('world'), ustring('anyone'));
const data = Buffer.from('hello');
const stat = statBytes(sampleStat);

describe('create and delete', () => {
  checkCases([
    wire(
      'CreateRequest',
      CreateRequest,
      { path: '/lock/n-', data, acl: [open], flags: 3 },
      bytes(ustring('/lock/n-'), buffer(data), vector([openBytes]), int(3)),
    ),
    wire(
      'CreateRequest with null data and two ACLs',
      CreateRequest,
      { path: '/a', data: null, acl: [open, readOnly], flags: 0 },
      bytes(ustring('/a'), int(-1), vector([openBytes, readOnlyBytes]), int(0)),
    ),
    wire(
      'CreateRequest with empty data and no ACL',
      CreateRequest,
      { path: '/a', data: Buffer.alloc(0), acl: [], flags: 4 },
      bytes(ustring('/a'), int(0), int(0), int(4)),
    ),
    wire(
      'CreateTTLRequest',
      CreateTTLRequest,
      { path: '/t', data, acl: [open], flags: 5, ttl: 1_099_511_627_775n },
      bytes(ustring('/t'), buffer(data), vector([openBytes]), int(5), long(1_099_511_627_775n)),
    ),
    wire(
      'CreateResponse',
      CreateResponse,
      { path: '/lock/n-0000000007' },
      ustring('/lock/n-0000000007'),
    ),
    wire(
      'Create2Response',
      Create2Response,
      { path: '/a', stat: sampleStat },
      bytes(ustring('/a'), stat),
    ),
    wire(
      'DeleteRequest',
      DeleteRequest,
      { path: '/a', version: -1 },
      bytes(ustring('/a'), int(-1)),
    ),
  ]);

  it('a null ACL vector (-1) reads as empty', () => {
    const b = bytes(ustring('/a'), int(-1), int(-1), int(0));
    expect(decode(CreateRequest, b)).toEqual({ path: '/a', data: null, acl: [], flags: 0 });
  });
});

describe('data and existence', () => {
  checkCases([
    wire(
      'ExistsRequest',
      ExistsRequest,
      { path: '/a', watch: true },
      bytes(ustring('/a'), bool(true)),
    ),
    wire('ExistsResponse', ExistsResponse, { stat: sampleStat }, stat),
    wire(
      'GetDataRequest',
      GetDataRequest,
      { path: '/a', watch: false },
      bytes(ustring('/a'), bool(false)),
    ),
    wire('GetDataResponse', GetDataResponse, { data, stat: sampleStat }, bytes(buffer(data), stat)),
    wire(
      'GetDataResponse of a node created with null data',
      GetDataResponse,
      { data: null, stat: sampleStat },
      bytes(int(-1), stat),
    ),
    wire(
      'GetDataResponse of a node created with empty data',
      GetDataResponse,
      { data: Buffer.alloc(0), stat: sampleStat },
      bytes(int(0), stat),
    ),
    wire(
      'SetDataRequest',
      SetDataRequest,
      { path: '/a', data, version: 2 },
      bytes(ustring('/a'), buffer(data), int(2)),
    ),
    wire('SetDataResponse', SetDataResponse, { stat: sampleStat }, stat),
    wire(
      'CheckVersionRequest',
      CheckVersionRequest,
      { path: '/a', version: 9 },
      bytes(ustring('/a'), int(9)),
    ),
    wire('SyncRequest', SyncRequest, { path: '/a' }, ustring('/a')),
    wire('SyncResponse', SyncResponse, { path: '/app/a' }, ustring('/app/a')),
  ]);

  it('GetDataResponse.read returns a copy, not a view of the frame', () => {
    const frame = bytes(buffer(data), stat);
    const decoded = decode(GetDataResponse, frame);
    frame.fill(0);
    expect(decoded.data).toEqual(data);
    expect(Buffer.isBuffer(decoded.data)).toBe(true);
  });

  it('a node written by a 1,048,575-byte request reads back in a 1,048,612-byte reply', () => {
    const create = (size: number) =>
      encode(RequestHeader, { xid: 1, type: 1 }).length +
      encode(CreateRequest, { path: '/big', data: Buffer.alloc(size), acl: [open], flags: 0 })
        .length;
    const size = 1_048_575 - create(0);
    expect(create(size)).toBe(DEFAULT_MAX_REQUEST_FRAME);
    const reply =
      encode(ReplyHeader, { xid: 1, zxid: 1n, err: 0 }).length +
      encode(GetDataResponse, { data: Buffer.alloc(size), stat: sampleStat }).length;
    expect(reply).toBe(1_048_612);
    expect(DEFAULT_MAX_RESPONSE_FRAME).toBeGreaterThanOrEqual(reply);
  });
});

describe('children and ACLs', () => {
  checkCases([
    wire(
      'GetChildrenRequest',
      GetChildrenRequest,
      { path: '/a', watch: true },
      bytes(ustring('/a'), bool(true)),
    ),
    wire(
      'GetChildrenResponse',
      GetChildrenResponse,
      { children: ['x', 'y-0000000001'] },
      vector([ustring('x'), ustring('y-0000000001')]),
    ),
    wire('GetChildrenResponse empty', GetChildrenResponse, { children: [] }, int(0)),
    wire(
      'GetChildren2Request',
      GetChildren2Request,
      { path: '/a', watch: false },
      bytes(ustring('/a'), bool(false)),
    ),
    wire(
      'GetChildren2Response',
      GetChildren2Response,
      { children: ['x'], stat: sampleStat },
      bytes(vector([ustring('x')]), stat),
    ),
    wire('GetACLRequest', GetACLRequest, { path: '/a' }, ustring('/a')),
    wire(
      'GetACLResponse',
      GetACLResponse,
      { acl: [open, { perms: 1, id: { scheme: 'digest', id: 'bob:x' } }], stat: sampleStat },
      bytes(vector([openBytes, bytes(int(1), ustring('digest'), ustring('bob:x'))]), stat),
    ),
    wire(
      'SetACLRequest',
      SetACLRequest,
      { path: '/a', acl: [readOnly], version: 0 },
      bytes(ustring('/a'), vector([readOnlyBytes]), int(0)),
    ),
    wire('SetACLResponse', SetACLResponse, { stat: sampleStat }, stat),
  ]);

  it('a null children vector reads as empty', () => {
    expect(decode(GetChildrenResponse, int(-1))).toEqual({ children: [] });
  });
});

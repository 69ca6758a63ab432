import { describe, expect, it } from 'vitest';
import {
  AddWatchRequest,
  CheckWatchesRequest,
  GetAllChildrenNumberRequest,
  GetAllChildrenNumberResponse,
  GetEphemeralsRequest,
  GetEphemeralsResponse,
  GetMaxChildrenRequest,
  GetMaxChildrenResponse,
  ReconfigRequest,
  RemoveWatchesRequest,
  SetMaxChildrenRequest,
  SetWatches,
  SetWatches2,
  WhoAmIResponse,
} from '../../../src/protocol/index.js';
import { bytes, int, long, ustring, vector } from './bytes.js';
import { checkCases, decode, wire } from './codec-cases.js';

const strings = (...items: string[]) => vector(items.map((s) => ustring(s)));

describe('watch records', () => {
  checkCases([
    wire(
      'SetWatches',
      SetWatches,
      {
        relativeZxid: 0x5_0000_0001n,
        dataWatches: ['/d'],
        existWatches: ['/e1', '/e2'],
        childWatches: [],
      },
      bytes(long(0x5_0000_0001n), strings('/d'), strings('/e1', '/e2'), strings()),
    ),
    wire(
      'SetWatches2',
      SetWatches2,
      {
        relativeZxid: 7n,
        dataWatches: [],
        existWatches: [],
        childWatches: ['/c'],
        persistentWatches: ['/p'],
        persistentRecursiveWatches: ['/r', '/s'],
      },
      bytes(long(7n), strings(), strings(), strings('/c'), strings('/p'), strings('/r', '/s')),
    ),
    wire('AddWatchRequest', AddWatchRequest, { path: '/a', mode: 1 }, bytes(ustring('/a'), int(1))),
    wire(
      'CheckWatchesRequest',
      CheckWatchesRequest,
      { path: '/a', type: 2 },
      bytes(ustring('/a'), int(2)),
    ),
    wire(
      'RemoveWatchesRequest',
      RemoveWatchesRequest,
      { path: '/a', type: 3 },
      bytes(ustring('/a'), int(3)),
    ),
  ]);

  it('null watch lists (-1) read as empty', () => {
    expect(decode(SetWatches, bytes(long(0n), int(-1), int(-1), int(-1)))).toEqual({
      relativeZxid: 0n,
      dataWatches: [],
      existWatches: [],
      childWatches: [],
    });
  });
});

describe('admin records', () => {
  checkCases([
    wire('GetEphemeralsRequest', GetEphemeralsRequest, { prefixPath: '/app' }, ustring('/app')),
    wire(
      'GetEphemeralsResponse',
      GetEphemeralsResponse,
      { ephemerals: ['/app/a', '/app/b'] },
      strings('/app/a', '/app/b'),
    ),
    wire('GetAllChildrenNumberRequest', GetAllChildrenNumberRequest, { path: '/' }, ustring('/')),
    wire(
      'GetAllChildrenNumberResponse',
      GetAllChildrenNumberResponse,
      { totalNumber: 12 },
      int(12),
    ),
    wire(
      'WhoAmIResponse',
      WhoAmIResponse,
      {
        clientInfo: [
          { authScheme: 'digest', user: 'bob' },
          { authScheme: 'ip', user: '127.0.0.1' },
        ],
      },
      vector([
        bytes(ustring('digest'), ustring('bob')),
        bytes(ustring('ip'), ustring('127.0.0.1')),
      ]),
    ),
    wire(
      'ReconfigRequest incremental',
      ReconfigRequest,
      {
        joiningServers: 'server.4=h:2888:3888;2181',
        leavingServers: '2',
        newMembers: null,
        curConfigId: -1n,
      },
      bytes(ustring('server.4=h:2888:3888;2181'), ustring('2'), int(-1), long(-1n)),
    ),
    wire(
      'ReconfigRequest non-incremental',
      ReconfigRequest,
      {
        joiningServers: null,
        leavingServers: null,
        newMembers: 'server.1=h:1:2',
        curConfigId: 0x1_0000_0000n,
      },
      bytes(int(-1), int(-1), ustring('server.1=h:1:2'), long(0x1_0000_0000n)),
    ),
    wire('GetMaxChildrenRequest', GetMaxChildrenRequest, { path: '/a' }, ustring('/a')),
    wire('GetMaxChildrenResponse', GetMaxChildrenResponse, { max: 100 }, int(100)),
    wire(
      'SetMaxChildrenRequest',
      SetMaxChildrenRequest,
      { path: '/a', max: 100 },
      bytes(ustring('/a'), int(100)),
    ),
  ]);
});

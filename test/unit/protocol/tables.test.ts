import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  AddWatchMode,
  CreateFlags,
  CreateRequest,
  Create2Response,
  CreateResponse,
  CreateTTLRequest,
  DEFAULT_MAX_REQUEST_FRAME,
  DEFAULT_MAX_RESPONSE_FRAME,
  ErrorCode,
  ErrorResponse,
  EventType,
  GetDataResponse,
  KeeperState,
  MAX_TTL,
  MultiRequest,
  MultiResponse,
  OpCode,
  Perms,
  WatcherType,
  WhoAmIResponse,
  Xid,
  createOpCodeFor,
  errorCodeDescription,
  errorCodeName,
  isContainer,
  isEphemeral,
  isSequential,
  isTTL,
  opCodeName,
  requestRecords,
  responseRecords,
} from '../../../src/protocol/index.js';
import type { RecordCodec } from '../../../src/protocol/index.js';

describe('opcodes', () => {
  it('names opcodes, and unknown ones by number', () => {
    expect(opCodeName(4)).toBe('getData');
    expect(opCodeName(-11)).toBe('closeSession');
    expect(opCodeName(-1)).toBe('error');
    expect(opCodeName(42)).toBe('unknown(42)');
    expect(opCodeName(10)).toBe('unknown(10)');
  });

  it('has a request and a response entry for every client opcode', () => {
    const internal = new Set<number>([OpCode.notification, OpCode.createSession, OpCode.error]);
    const clientCodes = Object.values(OpCode).filter((c) => !internal.has(c));
    expect(Object.keys(requestRecords).map(Number).sort()).toEqual(clientCodes.sort());
    expect(Object.keys(responseRecords).map(Number).sort()).toEqual(clientCodes.sort());
  });

  it('maps the create family and the special replies as §4 says', () => {
    expect(requestRecords[OpCode.create]).toBe(CreateRequest);
    expect(requestRecords[OpCode.create2]).toBe(CreateRequest);
    expect(requestRecords[OpCode.createContainer]).toBe(CreateRequest);
    expect(requestRecords[OpCode.createTTL]).toBe(CreateTTLRequest);
    expect(responseRecords[OpCode.create]).toBe(CreateResponse);
    expect(responseRecords[OpCode.create2]).toBe(Create2Response);
    expect(responseRecords[OpCode.createContainer]).toBe(Create2Response);
    expect(responseRecords[OpCode.createTTL]).toBe(Create2Response);
    expect(responseRecords[OpCode.addWatch]).toBe(ErrorResponse);
    expect(responseRecords[OpCode.reconfig]).toBe(GetDataResponse);
    expect(responseRecords[OpCode.whoAmI]).toBe(WhoAmIResponse);
    expect(requestRecords[OpCode.multi]).toBe(MultiRequest);
    expect(requestRecords[OpCode.multiRead]).toBe(MultiRequest);
    expect(responseRecords[OpCode.multi]).toBe(MultiResponse);
    expect(responseRecords[OpCode.multiRead]).toBe(MultiResponse);
    for (const code of [OpCode.ping, OpCode.whoAmI, OpCode.closeSession]) {
      expect(requestRecords[code]).toBeNull();
    }
    for (const code of [
      OpCode.delete,
      OpCode.ping,
      OpCode.check,
      OpCode.checkWatches,
      OpCode.removeWatches,
      OpCode.deleteContainer,
      OpCode.auth,
      OpCode.setWatches,
      OpCode.setWatches2,
      OpCode.closeSession,
    ]) {
      expect(responseRecords[code]).toBeNull();
    }
  });

  it('types the tables per opcode', () => {
    expectTypeOf(responseRecords[OpCode.getData]).toEqualTypeOf<RecordCodec<GetDataResponse>>();
    expectTypeOf(requestRecords[OpCode.createTTL]).toEqualTypeOf<RecordCodec<CreateTTLRequest>>();
    expectTypeOf(requestRecords[OpCode.ping]).toEqualTypeOf<null>();
  });

  it('reserves the §3 xids', () => {
    expect(Xid).toEqual({ notification: -1, ping: -2, auth: -4, setWatches: -8 });
  });
});

describe('error codes', () => {
  it('covers §9 with the right numbers', () => {
    expect(Object.keys(ErrorCode)).toHaveLength(32);
    expect(ErrorCode.NONODE).toBe(-101);
    expect(ErrorCode.SESSIONEXPIRED).toBe(-112);
    expect(ErrorCode.THROTTLEDOP).toBe(-127);
  });

  it('names and describes codes, unknown ones by number', () => {
    expect(errorCodeName(-110)).toBe('NODEEXISTS');
    expect(errorCodeName(0)).toBe('OK');
    expect(errorCodeName(-126)).toBeUndefined();
    expect(errorCodeDescription(-101)).toBe('no node');
    expect(errorCodeDescription(-126)).toBe('unknown error code -126');
    for (const code of Object.values(ErrorCode))
      expect(errorCodeDescription(code)).not.toMatch(/^unknown error code/);
  });
});

describe('constants', () => {
  it('classifies create flags', () => {
    const all = Object.values(CreateFlags);
    expect(all).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(all.filter(isSequential)).toEqual([2, 3, 6]);
    expect(all.filter(isEphemeral)).toEqual([1, 3]);
    expect(all.filter(isTTL)).toEqual([5, 6]);
    expect(all.filter(isContainer)).toEqual([4]);
    expect(all.map(createOpCodeFor)).toEqual([1, 1, 1, 1, 19, 21, 21]);
    expect(createOpCodeFor(7)).toBe(OpCode.create);
  });

  it('matches the §7, §8 and §10 values', () => {
    expect(EventType.NodeChildrenChanged).toBe(4);
    expect(EventType.None).toBe(-1);
    expect(KeeperState.Expired).toBe(-112);
    expect(KeeperState.ConnectedReadOnly).toBe(5);
    expect(WatcherType).toEqual({
      Children: 1,
      Data: 2,
      Any: 3,
      Persistent: 4,
      PersistentRecursive: 5,
    });
    expect(AddWatchMode).toEqual({ PERSISTENT: 0, PERSISTENT_RECURSIVE: 1 });
    expect(Perms).toEqual({ READ: 1, WRITE: 2, CREATE: 4, DELETE: 8, ADMIN: 16, ALL: 31 });
  });

  it('has the size limits of §1 and §7', () => {
    expect(BigInt(MAX_TTL)).toBe(2n ** 40n - 1n);
    expect(DEFAULT_MAX_REQUEST_FRAME).toBe(0xfffff);
    expect(DEFAULT_MAX_RESPONSE_FRAME).toBeGreaterThanOrEqual(1_048_612);
  });
});

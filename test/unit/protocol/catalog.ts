import fc from 'fast-check';
import * as protocol from '../../../src/protocol/index.js';
import type { RecordCodec } from '../../../src/protocol/index.js';
import * as a from './arbitraries.js';

/** A decoder under test, with values its encoder accepts. */
export interface CatalogEntry {
  readonly name: string;
  readonly codec: RecordCodec<unknown>;
  readonly arb: fc.Arbitrary<unknown>;
  /** The last byte may be missing (an old peer's record without readOnly). */
  readonly optionalLastByte: boolean;
}

function entry<T>(
  name: string,
  codec: RecordCodec<T>,
  arb: fc.Arbitrary<T>,
  optionalLastByte = false,
): CatalogEntry {
  return { name, codec, arb, optionalLastByte };
}

const p = protocol;
const watchLists = {
  relativeZxid: a.int64,
  dataWatches: a.strings,
  existWatches: a.strings,
  childWatches: a.strings,
};

/** Every record codec the protocol layer exports; catalog.test.ts checks none is missing. */
export const catalog: readonly CatalogEntry[] = [
  entry('Id', p.Id, a.id),
  entry('ACL', p.ACL, a.acl),
  entry('Stat', p.Stat, a.stat),
  entry('ClientInfo', p.ClientInfo, a.clientInfo),
  entry(
    'ConnectRequest',
    p.ConnectRequest,
    fc.record({
      protocolVersion: a.int32,
      lastZxidSeen: a.int64,
      timeOut: a.int32,
      sessionId: a.int64,
      passwd: a.nullableBuf,
      readOnly: fc.boolean(),
    }),
    true,
  ),
  entry(
    'ConnectResponse',
    p.ConnectResponse,
    fc.record({
      protocolVersion: a.int32,
      timeOut: a.int32,
      sessionId: a.int64,
      passwd: a.nullableBuf,
      readOnly: fc.boolean(),
    }),
    true,
  ),
  entry('RequestHeader', p.RequestHeader, fc.record({ xid: a.int32, type: a.int32 })),
  entry('ReplyHeader', p.ReplyHeader, fc.record({ xid: a.int32, zxid: a.int64, err: a.int32 })),
  entry(
    'MultiHeader',
    p.MultiHeader,
    fc.record({ type: a.int32, done: fc.boolean(), err: a.int32 }),
  ),
  entry(
    'AuthPacket',
    p.AuthPacket,
    fc.record({ type: a.int32, scheme: a.str, auth: a.nullableBuf }),
  ),
  entry('GetSASLRequest', p.GetSASLRequest, fc.record({ token: a.nullableBuf })),
  entry('SetSASLRequest', p.SetSASLRequest, fc.record({ token: a.nullableBuf })),
  entry('SetSASLResponse', p.SetSASLResponse, fc.record({ token: a.nullableBuf })),
  entry('ErrorResponse', p.ErrorResponse, fc.record({ err: a.int32 })),
  entry('WatcherEvent', p.WatcherEvent, fc.record({ type: a.int32, state: a.int32, path: a.str })),
  entry('CreateRequest', p.CreateRequest, a.createRequest),
  entry('CreateTTLRequest', p.CreateTTLRequest, a.createTTLRequest),
  entry('CreateResponse', p.CreateResponse, a.path),
  entry('Create2Response', p.Create2Response, fc.record({ path: a.str, stat: a.stat })),
  entry('DeleteRequest', p.DeleteRequest, a.pathVersion),
  entry('ExistsRequest', p.ExistsRequest, a.pathWatch),
  entry('ExistsResponse', p.ExistsResponse, fc.record({ stat: a.stat })),
  entry('GetDataRequest', p.GetDataRequest, a.pathWatch),
  entry('GetDataResponse', p.GetDataResponse, fc.record({ data: a.nullableBuf, stat: a.stat })),
  entry('SetDataRequest', p.SetDataRequest, a.setDataRequest),
  entry('SetDataResponse', p.SetDataResponse, fc.record({ stat: a.stat })),
  entry('CheckVersionRequest', p.CheckVersionRequest, a.pathVersion),
  entry('SyncRequest', p.SyncRequest, a.path),
  entry('SyncResponse', p.SyncResponse, a.path),
  entry('GetChildrenRequest', p.GetChildrenRequest, a.pathWatch),
  entry('GetChildrenResponse', p.GetChildrenResponse, fc.record({ children: a.strings })),
  entry('GetChildren2Request', p.GetChildren2Request, a.pathWatch),
  entry(
    'GetChildren2Response',
    p.GetChildren2Response,
    fc.record({ children: a.strings, stat: a.stat }),
  ),
  entry('GetACLRequest', p.GetACLRequest, a.path),
  entry('GetACLResponse', p.GetACLResponse, fc.record({ acl: a.acls, stat: a.stat })),
  entry(
    'SetACLRequest',
    p.SetACLRequest,
    fc.record({ path: a.str, acl: a.acls, version: a.int32 }),
  ),
  entry('SetACLResponse', p.SetACLResponse, fc.record({ stat: a.stat })),
  entry('SetWatches', p.SetWatches, fc.record(watchLists)),
  entry(
    'SetWatches2',
    p.SetWatches2,
    fc.record({
      ...watchLists,
      persistentWatches: a.strings,
      persistentRecursiveWatches: a.strings,
    }),
  ),
  entry('AddWatchRequest', p.AddWatchRequest, a.pathMode),
  entry('CheckWatchesRequest', p.CheckWatchesRequest, a.pathType),
  entry('RemoveWatchesRequest', p.RemoveWatchesRequest, a.pathType),
  entry('GetEphemeralsRequest', p.GetEphemeralsRequest, fc.record({ prefixPath: a.str })),
  entry('GetEphemeralsResponse', p.GetEphemeralsResponse, fc.record({ ephemerals: a.strings })),
  entry('GetAllChildrenNumberRequest', p.GetAllChildrenNumberRequest, a.path),
  entry(
    'GetAllChildrenNumberResponse',
    p.GetAllChildrenNumberResponse,
    fc.record({ totalNumber: a.int32 }),
  ),
  entry(
    'WhoAmIResponse',
    p.WhoAmIResponse,
    fc.record({ clientInfo: fc.array(a.clientInfo, { maxLength: 3 }) }),
  ),
  entry(
    'ReconfigRequest',
    p.ReconfigRequest,
    fc.record({
      joiningServers: a.nullableStr,
      leavingServers: a.nullableStr,
      newMembers: a.nullableStr,
      curConfigId: a.int64,
    }),
  ),
  entry('GetMaxChildrenRequest', p.GetMaxChildrenRequest, a.path),
  entry('GetMaxChildrenResponse', p.GetMaxChildrenResponse, fc.record({ max: a.int32 })),
  entry('SetMaxChildrenRequest', p.SetMaxChildrenRequest, a.pathMax),
  entry('MultiRequest', p.MultiRequest, fc.array(a.multiOp, { maxLength: 4 })),
  entry('MultiResponse', p.MultiResponse, fc.array(a.multiResult, { maxLength: 4 })),
];

/** Names of everything the barrel exports that looks like a record codec. */
export function exportedCodecNames(): string[] {
  return Object.entries(protocol)
    .filter(([, v]) => {
      const c = v as Partial<Record<'read' | 'write', unknown>> | null;
      return (
        typeof c === 'object' &&
        c !== null &&
        typeof c.read === 'function' &&
        typeof c.write === 'function'
      );
    })
    .map(([name]) => name)
    .sort();
}

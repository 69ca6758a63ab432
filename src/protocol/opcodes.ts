import { MultiRequest, MultiResponse } from './multi.js';
import type { RecordCodec } from './record-codec.js';
import { GetACLRequest, GetACLResponse, SetACLRequest, SetACLResponse } from './records/acl-ops.js';
import {
  GetAllChildrenNumberRequest,
  GetAllChildrenNumberResponse,
  GetEphemeralsRequest,
  GetEphemeralsResponse,
  ReconfigRequest,
  WhoAmIResponse,
} from './records/admin.js';
import {
  GetChildren2Request,
  GetChildren2Response,
  GetChildrenRequest,
  GetChildrenResponse,
} from './records/children.js';
import {
  Create2Response,
  CreateRequest,
  CreateResponse,
  CreateTTLRequest,
  DeleteRequest,
} from './records/create.js';
import {
  CheckVersionRequest,
  ExistsRequest,
  ExistsResponse,
  GetDataRequest,
  GetDataResponse,
  SetDataRequest,
  SetDataResponse,
  SyncRequest,
  SyncResponse,
} from './records/nodes.js';
import { AuthPacket, ErrorResponse, GetSASLRequest, SetSASLResponse } from './records/session.js';
import {
  AddWatchRequest,
  CheckWatchesRequest,
  RemoveWatchesRequest,
  SetWatches,
  SetWatches2,
} from './records/watches.js';

/** `ZooDefs.OpCode`: the `type` of a RequestHeader, and of multi op and result headers. */
export const OpCode = {
  notification: 0,
  create: 1,
  delete: 2,
  exists: 3,
  getData: 4,
  setData: 5,
  getACL: 6,
  setACL: 7,
  getChildren: 8,
  sync: 9,
  ping: 11,
  getChildren2: 12,
  check: 13,
  multi: 14,
  create2: 15,
  reconfig: 16,
  checkWatches: 17,
  removeWatches: 18,
  createContainer: 19,
  deleteContainer: 20,
  createTTL: 21,
  multiRead: 22,
  auth: 100,
  setWatches: 101,
  sasl: 102,
  getEphemerals: 103,
  getAllChildrenNumber: 104,
  setWatches2: 105,
  addWatch: 106,
  whoAmI: 107,
  createSession: -10,
  closeSession: -11,
  error: -1,
} as const;

export type OpCode = (typeof OpCode)[keyof typeof OpCode];

const namesByCode = new Map<number, string>(
  Object.entries(OpCode).map(([name, code]) => [code, name]),
);

/** The OpCode key for logs and error messages, e.g. `getData`, or `unknown(42)`. */
export function opCodeName(code: number): string {
  return namesByCode.get(code) ?? `unknown(${code})`;
}

/** Opcodes a client may put in a RequestHeader (the others are server-internal or result-only). */
export type RequestOpCode = Exclude<
  OpCode,
  typeof OpCode.notification | typeof OpCode.createSession | typeof OpCode.error
>;

type CodecTable = Record<RequestOpCode, RecordCodec<unknown> | null>;

/** Request body codec per opcode; null when the RequestHeader is the whole request. */
export const requestRecords = {
  [OpCode.create]: CreateRequest,
  [OpCode.delete]: DeleteRequest,
  [OpCode.exists]: ExistsRequest,
  [OpCode.getData]: GetDataRequest,
  [OpCode.setData]: SetDataRequest,
  [OpCode.getACL]: GetACLRequest,
  [OpCode.setACL]: SetACLRequest,
  [OpCode.getChildren]: GetChildrenRequest,
  [OpCode.sync]: SyncRequest,
  [OpCode.ping]: null,
  [OpCode.getChildren2]: GetChildren2Request,
  [OpCode.check]: CheckVersionRequest,
  [OpCode.multi]: MultiRequest,
  [OpCode.create2]: CreateRequest,
  [OpCode.reconfig]: ReconfigRequest,
  [OpCode.checkWatches]: CheckWatchesRequest,
  [OpCode.removeWatches]: RemoveWatchesRequest,
  [OpCode.createContainer]: CreateRequest,
  [OpCode.deleteContainer]: DeleteRequest,
  [OpCode.createTTL]: CreateTTLRequest,
  [OpCode.multiRead]: MultiRequest,
  [OpCode.auth]: AuthPacket,
  [OpCode.setWatches]: SetWatches,
  [OpCode.sasl]: GetSASLRequest,
  [OpCode.getEphemerals]: GetEphemeralsRequest,
  [OpCode.getAllChildrenNumber]: GetAllChildrenNumberRequest,
  [OpCode.setWatches2]: SetWatches2,
  [OpCode.addWatch]: AddWatchRequest,
  [OpCode.whoAmI]: null,
  [OpCode.closeSession]: null,
} as const satisfies CodecTable;

/** Reply body codec per opcode, read only when ReplyHeader.err is 0; null when there is no body. */
export const responseRecords = {
  [OpCode.create]: CreateResponse,
  [OpCode.delete]: null,
  [OpCode.exists]: ExistsResponse,
  [OpCode.getData]: GetDataResponse,
  [OpCode.setData]: SetDataResponse,
  [OpCode.getACL]: GetACLResponse,
  [OpCode.setACL]: SetACLResponse,
  [OpCode.getChildren]: GetChildrenResponse,
  [OpCode.sync]: SyncResponse,
  [OpCode.ping]: null,
  [OpCode.getChildren2]: GetChildren2Response,
  [OpCode.check]: null,
  [OpCode.multi]: MultiResponse,
  [OpCode.create2]: Create2Response,
  [OpCode.reconfig]: GetDataResponse,
  [OpCode.checkWatches]: null,
  [OpCode.removeWatches]: null,
  [OpCode.createContainer]: Create2Response,
  [OpCode.deleteContainer]: null,
  [OpCode.createTTL]: Create2Response,
  [OpCode.multiRead]: MultiResponse,
  [OpCode.auth]: null,
  [OpCode.setWatches]: null,
  [OpCode.sasl]: SetSASLResponse,
  [OpCode.getEphemerals]: GetEphemeralsResponse,
  [OpCode.getAllChildrenNumber]: GetAllChildrenNumberResponse,
  [OpCode.setWatches2]: null,
  [OpCode.addWatch]: ErrorResponse,
  [OpCode.whoAmI]: WhoAmIResponse,
  [OpCode.closeSession]: null,
} as const satisfies CodecTable;

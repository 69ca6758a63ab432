import type { Buffer } from 'node:buffer';
import { ProtocolError } from './errors.js';
import type { JuteReader } from './jute-reader.js';
import type { JuteWriter } from './jute-writer.js';
import type { RecordCodec } from './record-codec.js';
import { GetChildrenRequest } from './records/children.js';
import {
  Create2Response,
  CreateRequest,
  CreateTTLRequest,
  DeleteRequest,
} from './records/create.js';
import { Stat } from './records/data.js';
import {
  CheckVersionRequest,
  GetDataRequest,
  GetDataResponse,
  SetDataRequest,
  SetDataResponse,
} from './records/nodes.js';
import { MultiHeader } from './records/session.js';
import { readStrings, writeStrings } from './records/vectors.js';

// Opcodes are spelled as literals here (see OpCode) so that this file need not import opcodes.ts,
// which imports it for its tables.

/** One op of a multi (14: types 1, 15, 19, 21, 2, 5, 13) or a multiRead (22: types 4, 8). */
export type MultiOp =
  | { readonly type: 1 | 15 | 19; readonly request: CreateRequest }
  | { readonly type: 21; readonly request: CreateTTLRequest }
  | { readonly type: 2; readonly request: DeleteRequest }
  | { readonly type: 5; readonly request: SetDataRequest }
  | { readonly type: 13; readonly request: CheckVersionRequest }
  | { readonly type: 4; readonly request: GetDataRequest }
  | { readonly type: 8; readonly request: GetChildrenRequest };

/**
 * One result, typed by the result header and not by the op sent: a 3.8.0 server answers create2 with
 * type 1 (no Stat), and every result of a failed multi is type -1.
 */
export type MultiResult =
  | { type: 1; path: string }
  | { type: 15; path: string; stat: Stat }
  | { type: 2 }
  | { type: 13 }
  | { type: 5; stat: Stat }
  | { type: 4; data: Buffer | null; stat: Stat }
  | { type: 8; children: string[] }
  | { type: -1; err: number };

const TERMINATOR: MultiHeader = { type: -1, done: true, err: -1 };

function unknownType(what: string, type: unknown): ProtocolError {
  return new ProtocolError(`unknown multi ${what} type ${String(type)}`);
}

function writeOp(w: JuteWriter, op: MultiOp): void {
  MultiHeader.write(w, { type: op.type, done: false, err: -1 });
  switch (op.type) {
    case 1:
    case 15:
    case 19:
      CreateRequest.write(w, op.request);
      return;
    case 21:
      CreateTTLRequest.write(w, op.request);
      return;
    case 2:
      DeleteRequest.write(w, op.request);
      return;
    case 5:
      SetDataRequest.write(w, op.request);
      return;
    case 13:
      CheckVersionRequest.write(w, op.request);
      return;
    case 4:
      GetDataRequest.write(w, op.request);
      return;
    case 8:
      GetChildrenRequest.write(w, op.request);
      return;
    default:
      // Reachable from untyped callers only.
      throw unknownType('op', (op as { type: unknown }).type);
  }
}

function readOp(r: JuteReader, type: number): MultiOp {
  switch (type) {
    case 1:
    case 15:
    case 19:
      return { type, request: CreateRequest.read(r) };
    case 21:
      return { type, request: CreateTTLRequest.read(r) };
    case 2:
      return { type, request: DeleteRequest.read(r) };
    case 5:
      return { type, request: SetDataRequest.read(r) };
    case 13:
      return { type, request: CheckVersionRequest.read(r) };
    case 4:
      return { type, request: GetDataRequest.read(r) };
    case 8:
      return { type, request: GetChildrenRequest.read(r) };
    default:
      throw unknownType('op', type);
  }
}

/** Each op as header {type, done=false, err=-1} + request, then the terminator {-1, true, -1}. */
export const MultiRequest: RecordCodec<readonly MultiOp[]> = {
  write(w, ops) {
    for (const op of ops) writeOp(w, op);
    MultiHeader.write(w, TERMINATOR);
  },
  read(r) {
    const ops: MultiOp[] = [];
    // Each pass consumes at least a 9-byte header, so the input bounds the loop.
    for (let h = MultiHeader.read(r); !h.done; h = MultiHeader.read(r)) {
      ops.push(readOp(r, h.type));
    }
    return ops;
  },
};

function writeResult(w: JuteWriter, result: MultiResult): void {
  MultiHeader.write(w, {
    type: result.type,
    done: false,
    err: result.type === -1 ? result.err : 0,
  });
  switch (result.type) {
    case 1:
      w.ustring(result.path);
      return;
    case 15:
      Create2Response.write(w, result);
      return;
    case 2:
    case 13:
      return;
    case 5:
      SetDataResponse.write(w, result);
      return;
    case 4:
      GetDataResponse.write(w, result);
      return;
    case 8:
      writeStrings(w, result.children);
      return;
    case -1:
      w.int(result.err);
      return;
    default:
      throw unknownType('result', (result as { type: unknown }).type);
  }
}

function readResult(r: JuteReader, type: number): MultiResult {
  switch (type) {
    case 1:
      return { type, path: r.ustring() };
    case 15:
      return { type, path: r.ustring(), stat: Stat.read(r) };
    case 2:
    case 13:
      return { type };
    case 5:
      return { type, stat: Stat.read(r) };
    case 4:
      return { type, data: r.buffer(), stat: Stat.read(r) };
    case 8:
      return { type, children: readStrings(r) };
    case -1:
      // The header's err repeats this code; the body is what the Java client reads.
      return { type, err: r.int() };
    default:
      throw unknownType('result', type);
  }
}

/** Results in op order, then the terminator; a missing terminator is a truncated frame. */
export const MultiResponse: RecordCodec<MultiResult[]> = {
  write(w, results) {
    for (const result of results) writeResult(w, result);
    MultiHeader.write(w, TERMINATOR);
  },
  read(r) {
    const results: MultiResult[] = [];
    for (let h = MultiHeader.read(r); !h.done; h = MultiHeader.read(r)) {
      results.push(readResult(r, h.type));
    }
    return results;
  },
};

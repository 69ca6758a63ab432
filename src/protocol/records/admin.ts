import type { RecordCodec } from '../record-codec.js';
import { ClientInfo } from './data.js';
import { readStrings, writeStrings } from './vectors.js';

// Smallest ClientInfo: two empty strings.
const CLIENT_INFO_MIN_SIZE = 8;

/** `prefixPath` is matched as a plain string prefix of the session's ephemeral paths. */
export interface GetEphemeralsRequest {
  prefixPath: string;
}

export const GetEphemeralsRequest: RecordCodec<GetEphemeralsRequest> = {
  write(w, v) {
    w.ustring(v.prefixPath);
  },
  read(r) {
    return { prefixPath: r.ustring() };
  },
};

/** Full server paths (chroot included). */
export interface GetEphemeralsResponse {
  ephemerals: string[];
}

export const GetEphemeralsResponse: RecordCodec<GetEphemeralsResponse> = {
  write(w, v) {
    writeStrings(w, v.ephemerals);
  },
  read(r) {
    return { ephemerals: readStrings(r) };
  },
};

export interface GetAllChildrenNumberRequest {
  path: string;
}

export const GetAllChildrenNumberRequest: RecordCodec<GetAllChildrenNumberRequest> = {
  write(w, v) {
    w.ustring(v.path);
  },
  read(r) {
    return { path: r.ustring() };
  },
};

/** Number of descendants, not counting the node itself. */
export interface GetAllChildrenNumberResponse {
  totalNumber: number;
}

export const GetAllChildrenNumberResponse: RecordCodec<GetAllChildrenNumberResponse> = {
  write(w, v) {
    w.int(v.totalNumber);
  },
  read(r) {
    return { totalNumber: r.int() };
  },
};

export interface WhoAmIResponse {
  clientInfo: ClientInfo[];
}

export const WhoAmIResponse: RecordCodec<WhoAmIResponse> = {
  write(w, v) {
    w.vector(v.clientInfo, (iw, info) => {
      ClientInfo.write(iw, info);
    });
  },
  read(r) {
    return { clientInfo: r.vector((ir) => ClientInfo.read(ir), CLIENT_INFO_MIN_SIZE) };
  },
};

/**
 * Null fields are meaningful here: an incremental reconfig sends joiningServers/leavingServers and
 * null newMembers, a non-incremental one the reverse. `curConfigId` -1 matches any.
 */
export interface ReconfigRequest {
  joiningServers: string | null;
  leavingServers: string | null;
  newMembers: string | null;
  curConfigId: bigint;
}

export const ReconfigRequest: RecordCodec<ReconfigRequest> = {
  write(w, v) {
    w.ustring(v.joiningServers).ustring(v.leavingServers).ustring(v.newMembers);
    w.long(v.curConfigId);
  },
  read(r) {
    return {
      joiningServers: r.nullableUstring(),
      leavingServers: r.nullableUstring(),
      newMembers: r.nullableUstring(),
      curConfigId: r.long(),
    };
  },
};

/** In zookeeper.jute but sent by no opcode; kept so the record set is complete. */
export interface GetMaxChildrenRequest {
  path: string;
}

export const GetMaxChildrenRequest: RecordCodec<GetMaxChildrenRequest> = {
  write(w, v) {
    w.ustring(v.path);
  },
  read(r) {
    return { path: r.ustring() };
  },
};

/** In zookeeper.jute but sent by no opcode. */
export interface GetMaxChildrenResponse {
  max: number;
}

export const GetMaxChildrenResponse: RecordCodec<GetMaxChildrenResponse> = {
  write(w, v) {
    w.int(v.max);
  },
  read(r) {
    return { max: r.int() };
  },
};

/** In zookeeper.jute but sent by no opcode. */
export interface SetMaxChildrenRequest {
  path: string;
  max: number;
}

export const SetMaxChildrenRequest: RecordCodec<SetMaxChildrenRequest> = {
  write(w, v) {
    w.ustring(v.path).int(v.max);
  },
  read(r) {
    return { path: r.ustring(), max: r.int() };
  },
};

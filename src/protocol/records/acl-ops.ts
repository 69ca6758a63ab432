import type { RecordCodec } from '../record-codec.js';
import type { ACL } from './data.js';
import { Stat } from './data.js';
import { readACLs, writeACLs } from './vectors.js';

export interface GetACLRequest {
  path: string;
}

export const GetACLRequest: RecordCodec<GetACLRequest> = {
  write(w, v) {
    w.ustring(v.path);
  },
  read(r) {
    return { path: r.ustring() };
  },
};

export interface GetACLResponse {
  acl: ACL[];
  stat: Stat;
}

export const GetACLResponse: RecordCodec<GetACLResponse> = {
  write(w, v) {
    writeACLs(w, v.acl);
    Stat.write(w, v.stat);
  },
  read(r) {
    return { acl: readACLs(r), stat: Stat.read(r) };
  },
};

/** `version` is checked against the node's aversion; -1 matches any. */
export interface SetACLRequest {
  path: string;
  acl: readonly ACL[];
  version: number;
}

export const SetACLRequest: RecordCodec<SetACLRequest> = {
  write(w, v) {
    w.ustring(v.path);
    writeACLs(w, v.acl);
    w.int(v.version);
  },
  read(r) {
    return { path: r.ustring(), acl: readACLs(r), version: r.int() };
  },
};

export interface SetACLResponse {
  stat: Stat;
}

export const SetACLResponse: RecordCodec<SetACLResponse> = {
  write(w, v) {
    Stat.write(w, v.stat);
  },
  read(r) {
    return { stat: Stat.read(r) };
  },
};

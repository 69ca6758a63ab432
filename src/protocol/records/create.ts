import type { RecordCodec } from '../record-codec.js';
import type { ACL } from './data.js';
import { Stat } from './data.js';
import { readACLs, writeACLs } from './vectors.js';

/** Body of create (1), create2 (15) and createContainer (19); `flags` is a CreateFlags value. */
export interface CreateRequest {
  path: string;
  data: Uint8Array | null;
  acl: readonly ACL[];
  flags: number;
}

export const CreateRequest: RecordCodec<CreateRequest> = {
  write(w, v) {
    w.ustring(v.path).buffer(v.data);
    writeACLs(w, v.acl);
    w.int(v.flags);
  },
  read(r) {
    return { path: r.ustring(), data: r.buffer(), acl: readACLs(r), flags: r.int() };
  },
};

/** Body of createTTL (21); `ttl` in ms, 1 … MAX_TTL. */
export interface CreateTTLRequest {
  path: string;
  data: Uint8Array | null;
  acl: readonly ACL[];
  flags: number;
  ttl: bigint;
}

export const CreateTTLRequest: RecordCodec<CreateTTLRequest> = {
  write(w, v) {
    w.ustring(v.path).buffer(v.data);
    writeACLs(w, v.acl);
    w.int(v.flags).long(v.ttl);
  },
  read(r) {
    return {
      path: r.ustring(),
      data: r.buffer(),
      acl: readACLs(r),
      flags: r.int(),
      ttl: r.long(),
    };
  },
};

/** Reply to create (1): the created path, with the sequence suffix if any. */
export interface CreateResponse {
  path: string;
}

export const CreateResponse: RecordCodec<CreateResponse> = {
  write(w, v) {
    w.ustring(v.path);
  },
  read(r) {
    return { path: r.ustring() };
  },
};

/** Reply to create2, createContainer and createTTL. */
export interface Create2Response {
  path: string;
  stat: Stat;
}

export const Create2Response: RecordCodec<Create2Response> = {
  write(w, v) {
    w.ustring(v.path);
    Stat.write(w, v.stat);
  },
  read(r) {
    return { path: r.ustring(), stat: Stat.read(r) };
  },
};

/** Body of delete (2) and deleteContainer (20); `version` -1 matches any. */
export interface DeleteRequest {
  path: string;
  version: number;
}

export const DeleteRequest: RecordCodec<DeleteRequest> = {
  write(w, v) {
    w.ustring(v.path).int(v.version);
  },
  read(r) {
    return { path: r.ustring(), version: r.int() };
  },
};

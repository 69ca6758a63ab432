import type { RecordCodec } from '../record-codec.js';
import { Stat } from './data.js';
import { readStrings, writeStrings } from './vectors.js';

export interface GetChildrenRequest {
  path: string;
  watch: boolean;
}

export const GetChildrenRequest: RecordCodec<GetChildrenRequest> = {
  write(w, v) {
    w.ustring(v.path).bool(v.watch);
  },
  read(r) {
    return { path: r.ustring(), watch: r.bool() };
  },
};

/** Child names (not paths), in no particular order. */
export interface GetChildrenResponse {
  children: string[];
}

export const GetChildrenResponse: RecordCodec<GetChildrenResponse> = {
  write(w, v) {
    writeStrings(w, v.children);
  },
  read(r) {
    return { children: readStrings(r) };
  },
};

export interface GetChildren2Request {
  path: string;
  watch: boolean;
}

export const GetChildren2Request: RecordCodec<GetChildren2Request> = {
  write(w, v) {
    w.ustring(v.path).bool(v.watch);
  },
  read(r) {
    return { path: r.ustring(), watch: r.bool() };
  },
};

export interface GetChildren2Response {
  children: string[];
  stat: Stat;
}

export const GetChildren2Response: RecordCodec<GetChildren2Response> = {
  write(w, v) {
    writeStrings(w, v.children);
    Stat.write(w, v.stat);
  },
  read(r) {
    return { children: readStrings(r), stat: Stat.read(r) };
  },
};

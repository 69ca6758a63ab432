import type { RecordCodec } from '../record-codec.js';
import { Stat } from './data.js';

export interface ExistsRequest {
  path: string;
  watch: boolean;
}

export const ExistsRequest: RecordCodec<ExistsRequest> = {
  write(w, v) {
    w.ustring(v.path).bool(v.watch);
  },
  read(r) {
    return { path: r.ustring(), watch: r.bool() };
  },
};

export interface ExistsResponse {
  stat: Stat;
}

export const ExistsResponse: RecordCodec<ExistsResponse> = {
  write(w, v) {
    Stat.write(w, v.stat);
  },
  read(r) {
    return { stat: Stat.read(r) };
  },
};

export interface GetDataRequest {
  path: string;
  watch: boolean;
}

export const GetDataRequest: RecordCodec<GetDataRequest> = {
  write(w, v) {
    w.ustring(v.path).bool(v.watch);
  },
  read(r) {
    return { path: r.ustring(), watch: r.bool() };
  },
};

/** Reply to getData and reconfig; `data` is null for a node created with null data. */
export interface GetDataResponse {
  data: Uint8Array | null;
  stat: Stat;
}

export const GetDataResponse: RecordCodec<GetDataResponse> = {
  write(w, v) {
    w.buffer(v.data);
    Stat.write(w, v.stat);
  },
  read(r) {
    return { data: r.buffer(), stat: Stat.read(r) };
  },
};

/** `version` -1 matches any. */
export interface SetDataRequest {
  path: string;
  data: Uint8Array | null;
  version: number;
}

export const SetDataRequest: RecordCodec<SetDataRequest> = {
  write(w, v) {
    w.ustring(v.path).buffer(v.data).int(v.version);
  },
  read(r) {
    return { path: r.ustring(), data: r.buffer(), version: r.int() };
  },
};

export interface SetDataResponse {
  stat: Stat;
}

export const SetDataResponse: RecordCodec<SetDataResponse> = {
  write(w, v) {
    Stat.write(w, v.stat);
  },
  read(r) {
    return { stat: Stat.read(r) };
  },
};

/** The check op; send it only inside a multi (a standalone check breaks 3.8.0 servers). */
export interface CheckVersionRequest {
  path: string;
  version: number;
}

export const CheckVersionRequest: RecordCodec<CheckVersionRequest> = {
  write(w, v) {
    w.ustring(v.path).int(v.version);
  },
  read(r) {
    return { path: r.ustring(), version: r.int() };
  },
};

export interface SyncRequest {
  path: string;
}

export const SyncRequest: RecordCodec<SyncRequest> = {
  write(w, v) {
    w.ustring(v.path);
  },
  read(r) {
    return { path: r.ustring() };
  },
};

export interface SyncResponse {
  path: string;
}

export const SyncResponse: RecordCodec<SyncResponse> = {
  write(w, v) {
    w.ustring(v.path);
  },
  read(r) {
    return { path: r.ustring() };
  },
};

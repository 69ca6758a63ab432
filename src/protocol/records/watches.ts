import type { RecordCodec } from '../record-codec.js';
import { readStrings, writeStrings } from './vectors.js';

/** Re-registers one-shot watches after a reconnect; the server answers changes since relativeZxid. */
export interface SetWatches {
  relativeZxid: bigint;
  dataWatches: readonly string[];
  existWatches: readonly string[];
  childWatches: readonly string[];
}

export const SetWatches: RecordCodec<SetWatches> = {
  write(w, v) {
    w.long(v.relativeZxid);
    writeStrings(w, v.dataWatches);
    writeStrings(w, v.existWatches);
    writeStrings(w, v.childWatches);
  },
  read(r) {
    return {
      relativeZxid: r.long(),
      dataWatches: readStrings(r),
      existWatches: readStrings(r),
      childWatches: readStrings(r),
    };
  },
};

/** SetWatches plus persistent watches (3.6+). */
export interface SetWatches2 {
  relativeZxid: bigint;
  dataWatches: readonly string[];
  existWatches: readonly string[];
  childWatches: readonly string[];
  persistentWatches: readonly string[];
  persistentRecursiveWatches: readonly string[];
}

export const SetWatches2: RecordCodec<SetWatches2> = {
  write(w, v) {
    SetWatches.write(w, v);
    writeStrings(w, v.persistentWatches);
    writeStrings(w, v.persistentRecursiveWatches);
  },
  read(r) {
    return {
      ...SetWatches.read(r),
      persistentWatches: readStrings(r),
      persistentRecursiveWatches: readStrings(r),
    };
  },
};

/** `mode` is an AddWatchMode. */
export interface AddWatchRequest {
  path: string;
  mode: number;
}

export const AddWatchRequest: RecordCodec<AddWatchRequest> = {
  write(w, v) {
    w.ustring(v.path).int(v.mode);
  },
  read(r) {
    return { path: r.ustring(), mode: r.int() };
  },
};

/** `type` is a WatcherType. */
export interface CheckWatchesRequest {
  path: string;
  type: number;
}

export const CheckWatchesRequest: RecordCodec<CheckWatchesRequest> = {
  write(w, v) {
    w.ustring(v.path).int(v.type);
  },
  read(r) {
    return { path: r.ustring(), type: r.int() };
  },
};

/** `type` is a WatcherType. */
export interface RemoveWatchesRequest {
  path: string;
  type: number;
}

export const RemoveWatchesRequest: RecordCodec<RemoveWatchesRequest> = {
  write(w, v) {
    w.ustring(v.path).int(v.type);
  },
  read(r) {
    return { path: r.ustring(), type: r.int() };
  },
};

import type { RecordCodec } from '../record-codec.js';

/** First frame on a new socket, sent without a RequestHeader. */
export interface ConnectRequest {
  protocolVersion: number;
  lastZxidSeen: bigint;
  timeOut: number;
  sessionId: bigint;
  passwd: Uint8Array | null;
  readOnly: boolean;
}

export const ConnectRequest: RecordCodec<ConnectRequest> = {
  write(w, v) {
    w.int(v.protocolVersion).long(v.lastZxidSeen).int(v.timeOut).long(v.sessionId);
    // Always sent: a server that gets no readOnly byte treats us as an old client and omits its own.
    w.buffer(v.passwd).bool(v.readOnly);
  },
  read(r) {
    return {
      protocolVersion: r.int(),
      lastZxidSeen: r.long(),
      timeOut: r.int(),
      sessionId: r.long(),
      passwd: r.buffer(),
      // Clients older than 3.4 end the record before readOnly.
      readOnly: r.remaining > 0 ? r.bool() : false,
    };
  },
};

/** The server's answer to ConnectRequest; `timeOut` 0 means the session is expired or invalid. */
export interface ConnectResponse {
  protocolVersion: number;
  timeOut: number;
  sessionId: bigint;
  passwd: Uint8Array | null;
  readOnly: boolean;
}

export const ConnectResponse: RecordCodec<ConnectResponse> = {
  write(w, v) {
    w.int(v.protocolVersion).int(v.timeOut).long(v.sessionId).buffer(v.passwd).bool(v.readOnly);
  },
  read(r) {
    return {
      protocolVersion: r.int(),
      timeOut: r.int(),
      sessionId: r.long(),
      passwd: r.buffer(),
      // The server omits readOnly when the client did not send one (36-byte body).
      readOnly: r.remaining > 0 ? r.bool() : false,
    };
  },
};

export interface RequestHeader {
  xid: number;
  type: number;
}

export const RequestHeader: RecordCodec<RequestHeader> = {
  write(w, v) {
    w.int(v.xid).int(v.type);
  },
  read(r) {
    return { xid: r.int(), type: r.int() };
  },
};

export interface ReplyHeader {
  xid: number;
  zxid: bigint;
  err: number;
}

export const ReplyHeader: RecordCodec<ReplyHeader> = {
  write(w, v) {
    w.int(v.xid).long(v.zxid).int(v.err);
  },
  read(r) {
    return { xid: r.int(), zxid: r.long(), err: r.int() };
  },
};

/** Precedes each op and each result in a multi; `done` marks the terminator. */
export interface MultiHeader {
  type: number;
  done: boolean;
  err: number;
}

export const MultiHeader: RecordCodec<MultiHeader> = {
  write(w, v) {
    w.int(v.type).bool(v.done).int(v.err);
  },
  read(r) {
    return { type: r.int(), done: r.bool(), err: r.int() };
  },
};

/** Credentials for one scheme; `type` is always 0. Sent with xid -4. */
export interface AuthPacket {
  type: number;
  scheme: string;
  auth: Uint8Array | null;
}

export const AuthPacket: RecordCodec<AuthPacket> = {
  write(w, v) {
    w.int(v.type).ustring(v.scheme).buffer(v.auth);
  },
  read(r) {
    return { type: r.int(), scheme: r.ustring(), auth: r.buffer() };
  },
};

export interface GetSASLRequest {
  token: Uint8Array | null;
}

export const GetSASLRequest: RecordCodec<GetSASLRequest> = {
  write(w, v) {
    w.buffer(v.token);
  },
  read(r) {
    return { token: r.buffer() };
  },
};

/** In zookeeper.jute but sent by no opcode; kept so the record set is complete. */
export interface SetSASLRequest {
  token: Uint8Array | null;
}

export const SetSASLRequest: RecordCodec<SetSASLRequest> = {
  write(w, v) {
    w.buffer(v.token);
  },
  read(r) {
    return { token: r.buffer() };
  },
};

export interface SetSASLResponse {
  token: Uint8Array | null;
}

export const SetSASLResponse: RecordCodec<SetSASLResponse> = {
  write(w, v) {
    w.buffer(v.token);
  },
  read(r) {
    return { token: r.buffer() };
  },
};

/** Body of addWatch replies and of failed multi results. */
export interface ErrorResponse {
  err: number;
}

export const ErrorResponse: RecordCodec<ErrorResponse> = {
  write(w, v) {
    w.int(v.err);
  },
  read(r) {
    return { err: r.int() };
  },
};

/** Body of a notification (xid -1): `type` is an EventType, `state` a KeeperState. */
export interface WatcherEvent {
  type: number;
  state: number;
  path: string;
}

export const WatcherEvent: RecordCodec<WatcherEvent> = {
  write(w, v) {
    w.int(v.type).int(v.state).ustring(v.path);
  },
  read(r) {
    return { type: r.int(), state: r.int(), path: r.ustring() };
  },
};

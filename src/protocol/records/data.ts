import type { RecordCodec } from '../record-codec.js';

/** An identity: `scheme` (world, digest, ip, x509, sasl, auth) and the scheme-specific `id`. */
export interface Id {
  scheme: string;
  id: string;
}

export const Id: RecordCodec<Id> = {
  write(w, v) {
    w.ustring(v.scheme).ustring(v.id);
  },
  read(r) {
    return { scheme: r.ustring(), id: r.ustring() };
  },
};

/** One ACL entry; `perms` is a bit set of `Perms`. */
export interface ACL {
  perms: number;
  id: Id;
}

export const ACL: RecordCodec<ACL> = {
  write(w, v) {
    w.int(v.perms);
    Id.write(w, v.id);
  },
  read(r) {
    return { perms: r.int(), id: Id.read(r) };
  },
};

export interface Stat {
  czxid: bigint;
  mzxid: bigint;
  ctime: bigint;
  mtime: bigint;
  version: number;
  cversion: number;
  aversion: number;
  ephemeralOwner: bigint;
  dataLength: number;
  numChildren: number;
  pzxid: bigint;
}

export const Stat: RecordCodec<Stat> = {
  write(w, v) {
    w.long(v.czxid).long(v.mzxid).long(v.ctime).long(v.mtime);
    w.int(v.version).int(v.cversion).int(v.aversion);
    w.long(v.ephemeralOwner).int(v.dataLength).int(v.numChildren).long(v.pzxid);
  },
  read(r) {
    return {
      czxid: r.long(),
      mzxid: r.long(),
      ctime: r.long(),
      mtime: r.long(),
      version: r.int(),
      cversion: r.int(),
      aversion: r.int(),
      ephemeralOwner: r.long(),
      dataLength: r.int(),
      numChildren: r.int(),
      pzxid: r.long(),
    };
  },
};

/** One identity of the caller's connection, as listed by whoAmI (3.7+). */
export interface ClientInfo {
  authScheme: string;
  user: string;
}

export const ClientInfo: RecordCodec<ClientInfo> = {
  write(w, v) {
    w.ustring(v.authScheme).ustring(v.user);
  },
  read(r) {
    return { authScheme: r.ustring(), user: r.ustring() };
  },
};

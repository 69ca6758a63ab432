import { Buffer } from 'node:buffer';
import fc from 'fast-check';
import type { ACL, MultiOp, MultiResult, Stat } from '../../../src/protocol/index.js';

// Values every codec can encode: in-range ints/longs and strings that survive UTF-8 (no lone surrogates).

export const int32 = fc.integer({ min: -0x8000_0000, max: 0x7fff_ffff });
export const int64 = fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n });
export const str = fc.string({ unit: 'binary', maxLength: 6 });
export const nullableStr = fc.option(str, { nil: null });
export const buf = fc.uint8Array({ maxLength: 12 }).map((u) => Buffer.from(u));
export const nullableBuf = fc.option(buf, { nil: null });
export const strings = fc.array(str, { maxLength: 3 });

export const id = fc.record({ scheme: str, id: str });
export const acl: fc.Arbitrary<ACL> = fc.record({ perms: int32, id });
export const acls = fc.array(acl, { maxLength: 3 });
export const clientInfo = fc.record({ authScheme: str, user: str });

export const stat: fc.Arbitrary<Stat> = fc.record({
  czxid: int64,
  mzxid: int64,
  ctime: int64,
  mtime: int64,
  version: int32,
  cversion: int32,
  aversion: int32,
  ephemeralOwner: int64,
  dataLength: int32,
  numChildren: int32,
  pzxid: int64,
});

export const pathWatch = fc.record({ path: str, watch: fc.boolean() });
export const pathVersion = fc.record({ path: str, version: int32 });
export const pathMode = fc.record({ path: str, mode: int32 });
export const pathType = fc.record({ path: str, type: int32 });
export const pathMax = fc.record({ path: str, max: int32 });
export const path = fc.record({ path: str });

export const createRequest = fc.record({ path: str, data: nullableBuf, acl: acls, flags: int32 });
export const createTTLRequest = fc.record({
  path: str,
  data: nullableBuf,
  acl: acls,
  flags: int32,
  ttl: int64,
});
export const setDataRequest = fc.record({ path: str, data: nullableBuf, version: int32 });

export const multiOp: fc.Arbitrary<MultiOp> = fc.oneof(
  fc.record({
    type: fc.constantFrom(1 as const, 15 as const, 19 as const),
    request: createRequest,
  }),
  fc.record({ type: fc.constant(21 as const), request: createTTLRequest }),
  fc.record({ type: fc.constant(2 as const), request: pathVersion }),
  fc.record({ type: fc.constant(5 as const), request: setDataRequest }),
  fc.record({ type: fc.constant(13 as const), request: pathVersion }),
  fc.record({ type: fc.constant(4 as const), request: pathWatch }),
  fc.record({ type: fc.constant(8 as const), request: pathWatch }),
);

export const multiResult: fc.Arbitrary<MultiResult> = fc.oneof(
  fc.record({ type: fc.constant(1 as const), path: str }),
  fc.record({ type: fc.constant(15 as const), path: str, stat }),
  fc.record({ type: fc.constantFrom(2 as const, 13 as const) }),
  fc.record({ type: fc.constant(5 as const), stat }),
  fc.record({ type: fc.constant(4 as const), data: nullableBuf, stat }),
  fc.record({ type: fc.constant(8 as const), children: strings }),
  fc.record({ type: fc.constant(-1 as const), err: int32 }),
);

import {
  CreateRequest,
  CreateTTLRequest,
  Create2Response,
  DeleteRequest,
  OpCode,
  SetACLRequest,
  SetACLResponse,
  SetDataRequest,
  SetDataResponse,
} from '../../protocol/index.js';
import type { ACL, Stat } from '../../protocol/index.js';
import { validateAcl } from '../acl.js';
import { encodeCreate } from '../create.js';
import type { CreateOptions, CreateResult, Data, VersionOptions } from '../types.js';
import { toBytes, validateVersion } from '../values.js';
import type { OpContext } from './context.js';

// The bodies of the ZooKeeper class's write operations; their contracts are documented there.

export async function create(
  ctx: OpContext,
  path: string,
  data: Data | undefined,
  options: CreateOptions,
): Promise<CreateResult> {
  const request = encodeCreate(path, data, options, (p, seq) => ctx.serverPath(p, seq));
  const reply = request.ttl
    ? await ctx.session.submit(
        request.opcode,
        path,
        CreateTTLRequest,
        request.record,
        Create2Response,
      )
    : await ctx.session.submit(
        request.opcode,
        path,
        CreateRequest,
        request.record,
        Create2Response,
      );
  return { path: ctx.chroot.fromServer(reply.path), stat: reply.stat };
}

export async function remove(ctx: OpContext, path: string, options: VersionOptions): Promise<void> {
  const version = validateVersion(options.version);
  await ctx.session.submit(
    OpCode.delete,
    path,
    DeleteRequest,
    { path: ctx.serverPath(path), version },
    null,
  );
}

export async function setData(
  ctx: OpContext,
  path: string,
  data: Data,
  options: VersionOptions,
): Promise<Stat> {
  const version = validateVersion(options.version);
  const reply = await ctx.session.submit(
    OpCode.setData,
    path,
    SetDataRequest,
    { path: ctx.serverPath(path), data: toBytes(data), version },
    SetDataResponse,
  );
  return reply.stat;
}

export async function setACL(
  ctx: OpContext,
  path: string,
  acl: readonly ACL[],
  options: VersionOptions,
): Promise<Stat> {
  const serverPath = ctx.serverPath(path);
  validateAcl(acl, path);
  const version = validateVersion(options.version);
  const reply = await ctx.session.submit(
    OpCode.setACL,
    path,
    SetACLRequest,
    { path: serverPath, acl, version },
    SetACLResponse,
  );
  return reply.stat;
}

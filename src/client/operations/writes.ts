import { OpCode } from '../../protocol/index.js';
import type { ACL, Stat } from '../../protocol/index.js';
import { validateAcl } from '../acl.js';
import { encodeCreate } from './create.js';
import type { CreateOptions, CreateResult, Data, VersionOptions } from '../types.js';
import { toBytes, validateVersion } from '../values.js';
import type { OpContext } from './context.js';
import { call } from './call.js';

// The bodies of the ZooKeeper class's write operations; their contracts are documented there.

export async function create(
  ctx: OpContext,
  path: string,
  data: Data | undefined,
  options: CreateOptions,
): Promise<CreateResult> {
  const request = encodeCreate(path, data, options, (p, seq) => ctx.serverPath(p, seq));
  const reply = await call(ctx.session, request.opcode, path, request.record);
  return { path: ctx.chroot.fromServer(reply.path), stat: reply.stat };
}

export async function remove(ctx: OpContext, path: string, options: VersionOptions): Promise<void> {
  const version = validateVersion(options.version);
  await call(ctx.session, OpCode.delete, path, { path: ctx.serverPath(path), version });
}

export async function setData(
  ctx: OpContext,
  path: string,
  data: Data,
  options: VersionOptions,
): Promise<Stat> {
  const version = validateVersion(options.version);
  const reply = await call(ctx.session, OpCode.setData, path, {
    path: ctx.serverPath(path),
    data: toBytes(data),
    version,
  });
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
  const reply = await call(ctx.session, OpCode.setACL, path, { path: serverPath, acl, version });
  return reply.stat;
}

import { ErrorCode, OpCode } from '../../protocol/index.js';
import type { Stat } from '../../protocol/index.js';
import type { ReplyHook } from '../session/request.js';
import type {
  GetACLResult,
  GetChildrenResult,
  GetDataResult,
  Watched,
  WatchOptions,
} from '../types.js';
import { asBuffer } from '../values.js';
import { watchFor } from '../watches/watch-promise.js';
import type { OpContext } from './context.js';
import { call } from './call.js';

// The bodies of the ZooKeeper class's read operations; their contracts are documented there.

export async function exists(
  ctx: OpContext,
  path: string,
  options: WatchOptions,
): Promise<Stat | null | ({ stat: Stat | null } & Watched)> {
  const serverPath = ctx.serverPath(path);
  const watch =
    options.watch === true
      ? watchFor(ctx.session.watches, ctx.chroot, serverPath, options.signal)
      : undefined;
  const hook: ReplyHook | undefined =
    watch === undefined
      ? undefined
      : (err) => {
          if (err === 0) watch.register('data');
          else if (err === ErrorCode.NONODE) watch.register('exist');
        };
  let stat: Stat | null;
  try {
    const reply = await call(
      ctx.session,
      OpCode.exists,
      path,
      { path: serverPath, watch: watch !== undefined },
      hook,
    );
    stat = reply.stat;
  } catch (error) {
    if (!(error instanceof Error && 'zkCode' in error && error.zkCode === ErrorCode.NONODE))
      throw error;
    stat = null;
  }
  return watch === undefined ? stat : { stat, watch: watch.promise };
}

export async function getData(
  ctx: OpContext,
  path: string,
  options: WatchOptions,
): Promise<GetDataResult | (GetDataResult & Watched)> {
  const serverPath = ctx.serverPath(path);
  const watch =
    options.watch === true
      ? watchFor(ctx.session.watches, ctx.chroot, serverPath, options.signal)
      : undefined;
  const reply = await call(
    ctx.session,
    OpCode.getData,
    path,
    { path: serverPath, watch: watch !== undefined },
    watch?.registerOnSuccess('data'),
  );
  const result = { data: asBuffer(reply.data), stat: reply.stat };
  return watch === undefined ? result : { ...result, watch: watch.promise };
}

export async function getChildren(
  ctx: OpContext,
  path: string,
  options: WatchOptions,
): Promise<GetChildrenResult | (GetChildrenResult & Watched)> {
  const serverPath = ctx.serverPath(path);
  const watch =
    options.watch === true
      ? watchFor(ctx.session.watches, ctx.chroot, serverPath, options.signal)
      : undefined;
  const reply = await call(
    ctx.session,
    OpCode.getChildren2,
    path,
    { path: serverPath, watch: watch !== undefined },
    watch?.registerOnSuccess('child'),
  );
  const result = { children: reply.children, stat: reply.stat };
  return watch === undefined ? result : { ...result, watch: watch.promise };
}

export async function getACL(ctx: OpContext, path: string): Promise<GetACLResult> {
  const reply = await call(ctx.session, OpCode.getACL, path, { path: ctx.serverPath(path) });
  return { acl: reply.acl, stat: reply.stat };
}

export async function sync(ctx: OpContext, path: string): Promise<void> {
  await call(ctx.session, OpCode.sync, path, { path: ctx.serverPath(path) });
}

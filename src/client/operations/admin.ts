import { OpCode } from '../../protocol/index.js';
import type { Id } from '../../protocol/index.js';
import { InvalidArgumentError } from '../errors.js';
import type { OpContext } from './context.js';
import { call } from './call.js';

// The bodies of the ZooKeeper class's session and subtree queries; contracts are documented there.

export async function getEphemerals(ctx: OpContext, prefix: string): Promise<string[]> {
  // The server matches a plain string prefix, so `/locks/lock-` is fine though no node has that
  // path: checking it as a path would refuse the very use the operation is for.
  validatePrefix(prefix);
  const chroot = ctx.chroot.prefix;
  // Unlike the Java client, which sends the prefix without the chroot and so lists ephemerals
  // outside it, ours applies the chroot as every other operation does.
  const reply = await call(ctx.session, OpCode.getEphemerals, prefix, {
    prefixPath: chroot + prefix,
  });
  // A prefix under the chroot only matches paths under it; the filter guards against a server
  // that reads the prefix otherwise (it treats a bare `/` as "all"), as results outside the
  // chroot could not be named by the caller anyway.
  return reply.ephemerals
    .filter((path) => chroot === '' || path.startsWith(`${chroot}/`))
    .map((path) => ctx.chroot.fromServer(path));
}

function validatePrefix(prefix: unknown): asserts prefix is string {
  if (typeof prefix !== 'string' || !prefix.startsWith('/')) {
    throw new InvalidArgumentError(
      `ephemerals prefix must be a string starting with /, got ${JSON.stringify(prefix)}`,
    );
  }
}

export async function getAllChildrenNumber(ctx: OpContext, path: string): Promise<number> {
  const reply = await call(ctx.session, OpCode.getAllChildrenNumber, path, {
    path: ctx.serverPath(path),
  });
  return reply.totalNumber;
}

export async function whoAmI(ctx: OpContext): Promise<Id[]> {
  const reply = await call(ctx.session, OpCode.whoAmI, undefined, undefined);
  return reply.clientInfo.map((info) => ({ scheme: info.authScheme, id: info.user }));
}

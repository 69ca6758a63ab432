import { isSequential, MAX_TTL, OpCode } from '../../protocol/index.js';
import type { CreateRequest, CreateTTLRequest } from '../../protocol/index.js';
import { OPEN_ACL_UNSAFE, validateAcl } from '../acl.js';
import { InvalidArgumentError } from '../errors.js';
import { createFlagsByMode } from '../types.js';
import type { CreateMode, CreateOptions, Data } from '../types.js';
import { toBytes } from '../values.js';

export type EncodedCreate =
  | { readonly opcode: 15 | 19; readonly ttl: false; readonly record: CreateRequest }
  | { readonly opcode: 21; readonly ttl: true; readonly record: CreateTTLRequest };

/**
 * Validates a create and picks the request form: create2 for the classic modes (so the reply
 * carries a Stat), createContainer for containers, createTTL for the TTL modes.
 */
export function encodeCreate(
  path: string,
  data: Data | undefined,
  options: CreateOptions,
  toServerPath: (path: string, sequential: boolean) => string,
): EncodedCreate {
  const mode: CreateMode = options.mode ?? 'persistent';
  const flags = createFlagsByMode[mode] as number | undefined;
  if (flags === undefined) {
    throw new InvalidArgumentError(
      `unknown create mode ${JSON.stringify(mode)}; use one of ${Object.keys(createFlagsByMode).join(', ')}`,
    );
  }
  const serverPath = toServerPath(path, isSequential(flags));
  const acl = options.acl ?? OPEN_ACL_UNSAFE;
  validateAcl(acl, path);
  const base = { path: serverPath, data: toBytes(data), acl, flags };
  if (mode === 'persistent-ttl' || mode === 'persistent-sequential-ttl') {
    const ttl = options.ttl;
    if (ttl === undefined || !Number.isInteger(ttl) || ttl < 1 || ttl > MAX_TTL) {
      throw new InvalidArgumentError(
        `mode ${mode} needs a ttl in ms from 1 to ${MAX_TTL}, got ${String(ttl)}`,
      );
    }
    return { opcode: OpCode.createTTL, ttl: true, record: { ...base, ttl: BigInt(ttl) } };
  }
  if (options.ttl !== undefined) {
    throw new InvalidArgumentError(`ttl is only allowed with the TTL modes, not with ${mode}`);
  }
  return {
    opcode: mode === 'container' ? OpCode.createContainer : OpCode.create2,
    ttl: false,
    record: base,
  };
}

import { createHash } from 'node:crypto';
import { Perms } from '../protocol/index.js';
import type { ACL } from '../protocol/index.js';
import { InvalidACLError, InvalidArgumentError } from './errors.js';

export type { ACL, Id } from '../protocol/index.js';
export { Perms } from '../protocol/index.js';

/** Everyone may do everything (`ZooDefs.Ids.OPEN_ACL_UNSAFE`). The default for `create`. */
export const OPEN_ACL_UNSAFE: readonly ACL[] = Object.freeze([
  Object.freeze({ perms: Perms.ALL, id: Object.freeze({ scheme: 'world', id: 'anyone' }) }),
]);

/** All rights for the authenticated identities of the creator (`ZooDefs.Ids.CREATOR_ALL_ACL`). */
export const CREATOR_ALL_ACL: readonly ACL[] = Object.freeze([
  Object.freeze({ perms: Perms.ALL, id: Object.freeze({ scheme: 'auth', id: '' }) }),
]);

/** Everyone may read (`ZooDefs.Ids.READ_ACL_UNSAFE`). */
export const READ_ACL_UNSAFE: readonly ACL[] = Object.freeze([
  Object.freeze({ perms: Perms.READ, id: Object.freeze({ scheme: 'world', id: 'anyone' }) }),
]);

/**
 * The id the digest scheme stores for `user:password`: `user:base64(sha1("user:password"))`, as
 * `DigestAuthenticationProvider.generateDigest` computes it.
 */
export function digestId(user: string, password: string): string {
  const hash = createHash('sha1').update(`${user}:${password}`, 'utf8').digest('base64');
  return `${user}:${hash}`;
}

/**
 * The checks the Java client makes (an empty or missing list is INVALIDACL) plus shape checks that
 * keep a malformed entry from ever reaching the encoder.
 */
export function validateAcl(acl: unknown, path: string): asserts acl is readonly ACL[] {
  if (!Array.isArray(acl) || acl.length === 0) {
    throw new InvalidACLError(path, 'INVALIDACL: the ACL list must not be empty');
  }
  for (const entry of acl as unknown[]) {
    if (typeof entry !== 'object' || entry === null) {
      throw new InvalidArgumentError(`ACL entries must be objects { perms, id: { scheme, id } }`);
    }
    const { perms, id } = entry as { perms?: unknown; id?: unknown };
    if (typeof perms !== 'number' || !Number.isInteger(perms) || perms < 0 || perms > Perms.ALL) {
      throw new InvalidArgumentError(
        `ACL perms must be an integer bit mask in 0..31, got ${String(perms)}`,
      );
    }
    if (typeof id !== 'object' || id === null) {
      throw new InvalidArgumentError('ACL entry is missing its id { scheme, id }');
    }
    const { scheme, id: idText } = id as { scheme?: unknown; id?: unknown };
    if (typeof scheme !== 'string' || scheme === '' || typeof idText !== 'string') {
      throw new InvalidArgumentError('ACL id must have a non-empty string scheme and a string id');
    }
  }
}

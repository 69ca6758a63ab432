import { Perms } from '../index.js';
import type { ACL } from '../index.js';
import { UsageError } from './args.js';

/** zkCli's letters, in its order. */
const LETTERS: readonly (readonly [string, number])[] = [
  ['c', Perms.CREATE],
  ['d', Perms.DELETE],
  ['r', Perms.READ],
  ['w', Perms.WRITE],
  ['a', Perms.ADMIN],
];

export function permsText(perms: number): string {
  return LETTERS.filter(([, bit]) => (perms & bit) !== 0)
    .map(([letter]) => letter)
    .join('');
}

/** `scheme:id:perms`, the form `acl set` takes. */
export function aclText(acl: ACL): string {
  return `${acl.id.scheme}:${acl.id.id}:${permsText(acl.perms)}`;
}

/**
 * Parses zkCli's `scheme:id:perms`. The scheme ends at the first colon and the perms start after
 * the last, so ids keep their own colons (`digest:bob:<hash>:r`, an IPv6 address); one entry per
 * argument, since x509 DNs contain commas.
 */
export function parseAcl(text: string): ACL {
  const first = text.indexOf(':');
  const last = text.lastIndexOf(':');
  const scheme = text.slice(0, first);
  const letters = text.slice(last + 1);
  if (first === -1 || first === last || scheme === '') {
    throw new UsageError(
      `an ACL is scheme:id:perms, such as world:anyone:cdrwa, got ${JSON.stringify(text)}`,
    );
  }
  let perms = 0;
  for (const letter of letters) {
    const bit = LETTERS.find(([name]) => name === letter)?.[1];
    if (bit === undefined) {
      throw new UsageError(
        `ACL permissions are letters of cdrwa, got ${JSON.stringify(letters)} in ${JSON.stringify(text)}`,
      );
    }
    perms |= bit;
  }
  if (perms === 0) throw new UsageError(`the ACL ${JSON.stringify(text)} grants nothing`);
  return { perms, id: { scheme, id: text.slice(first + 1, last) } };
}

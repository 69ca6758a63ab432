import type { JuteReader } from '../jute-reader.js';
import type { JuteWriter } from '../jute-writer.js';
import { ACL } from './data.js';

// Smallest encodings of one item, which let the reader reject impossible counts up front.
const USTRING_MIN_SIZE = 4;
const ACL_MIN_SIZE = 12;

export function writeStrings(w: JuteWriter, items: readonly string[]): void {
  w.vector(items, (iw, s) => iw.ustring(s));
}

export function readStrings(r: JuteReader): string[] {
  return r.vector((ir) => ir.ustring(), USTRING_MIN_SIZE);
}

export function writeACLs(w: JuteWriter, items: readonly ACL[]): void {
  w.vector(items, (iw, acl) => {
    ACL.write(iw, acl);
  });
}

export function readACLs(r: JuteReader): ACL[] {
  return r.vector((ir) => ACL.read(ir), ACL_MIN_SIZE);
}

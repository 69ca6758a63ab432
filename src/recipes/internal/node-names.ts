import { randomUUID } from 'node:crypto';

/** Curator's protected-name marker: `_c_<uuid>-` before the node name. */
export const PROTECTED_MARKER = '_c_';

/** A fresh protected prefix, e.g. `_c_1f0c…-`, that lets us find our node after a lost reply. */
export function protectedPrefix(): string {
  return `${PROTECTED_MARKER}${randomUUID()}-`;
}

/**
 * The sequence number of a queue node: the text after the last occurrence of one of `markers`
 * (the lock's node name, e.g. `lock-`), as Curator's `fixForSorting` reads it. Sequence suffixes
 * are `%010d` of a signed int, so past 2^31 − 1 they turn negative (`lock--2147483648`); reading
 * after the marker keeps the sign apart from the marker's own dash.
 */
export function sequenceOf(name: string, markers: readonly string[]): number | undefined {
  for (const marker of markers) {
    const at = name.lastIndexOf(marker);
    if (at === -1) continue;
    const suffix = name.slice(at + marker.length);
    if (/^-?\d{10}$/.test(suffix)) return Number(suffix);
  }
  return undefined;
}

export interface Participant {
  /** The child's name (not path). */
  readonly name: string;
  readonly sequence: number;
}

/**
 * The children that take part — those whose name ends in one of `markers` and a sequence
 * number — in queue order: by sequence number, as Curator and kazoo sort them, ignoring any prefix.
 */
export function queueOrder(children: readonly string[], markers: readonly string[]): Participant[] {
  const participants: Participant[] = [];
  for (const name of children) {
    const sequence = sequenceOf(name, markers);
    if (sequence !== undefined) participants.push({ name, sequence });
  }
  return participants.sort((a, b) => a.sequence - b.sequence || (a.name < b.name ? -1 : 1));
}

import { randomUUID } from 'node:crypto';
import { SequenceWrappedError } from './errors.js';

/** Curator's protected-name marker: `_c_<uuid>-` before the node name. */
export const PROTECTED_MARKER = '_c_';

/** A fresh protected prefix, e.g. `_c_1f0c…-`, that lets us find our node after a lost reply. */
export function protectedPrefix(): string {
  return `${PROTECTED_MARKER}${randomUUID()}-`;
}

/**
 * Every suffix ZooKeeper writes: `%010d` of the parent's cversion, a signed int, so width 10
 * counts the sign (`-000000005`) and the widest negatives take 11 characters (`-2147483648`).
 */
const SEQUENCE_SUFFIX = /^(?:\d{10}|-\d{9}|-[1-9]\d{9})$/;
const INT_MIN = -(2 ** 31);
const INT_MAX = 2 ** 31 - 1;

/**
 * The sequence number of a queue node: the text after the last occurrence of one of `markers`
 * (the lock's node name, e.g. `lock-`), as Curator's `fixForSorting` reads it. Past 2^31 − 1 the
 * number is negative (`lock--2147483648`); reading after the marker keeps the sign apart from the
 * marker's own dash. A suffix Java's `%010d` cannot produce (`-000000000`, `2147483648`) is no
 * server's sequence, so the node is not counted.
 */
export function sequenceOf(name: string, markers: readonly string[]): number | undefined {
  for (const marker of markers) {
    const at = name.lastIndexOf(marker);
    if (at === -1) continue;
    const suffix = name.slice(at + marker.length);
    if (!SEQUENCE_SUFFIX.test(suffix)) continue;
    const sequence = Number(suffix);
    if (sequence >= INT_MIN && sequence <= INT_MAX && !Object.is(sequence, -0)) return sequence;
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
 * number — in queue order: by sequence number, ignoring any prefix, as Curator and kazoo sort them
 * while no number is negative. A wrapped (negative) number sorts after the others, as the unsigned
 * value it wrapped from: that is the order of creation, so introspection still shows the real
 * head of a queue whose parent wrapped (acquires refuse such a queue: {@link unwrappedQueue}).
 */
export function queueOrder(children: readonly string[], markers: readonly string[]): Participant[] {
  const participants: Participant[] = [];
  for (const name of children) {
    const sequence = sequenceOf(name, markers);
    if (sequence !== undefined) participants.push({ name, sequence });
  }
  return participants.sort(
    (a, b) => (a.sequence >>> 0) - (b.sequence >>> 0) || (a.name < b.name ? -1 : 1),
  );
}

/**
 * The last sequence number a parent gives. A create past it puts the parent's count out of int
 * range, the server does not store it, and later children get 2147483647 again — except creates
 * in flight together, which count on from -2147483648 (ZooKeeper 3.8.0, seen on a real server).
 */
export const LAST_SEQUENCE = INT_MAX;

/**
 * The queue of the lock at `path` in queue order, or SequenceWrappedError when any node of it has
 * the last sequence number or a negative one. Our listing relies on new nodes never sorting ahead
 * of ours, which holds only until the parent's count runs out: then new nodes repeat 2147483647
 * (a name that sorts first wins) or go negative, Curator and kazoo sort the same names as strings,
 * and no order is safe, so we do not queue at all.
 */
export function unwrappedQueue(
  path: string,
  children: readonly string[],
  markers: readonly string[],
): Participant[] {
  const queue = queueOrder(children, markers);
  const wrapped = queue.find((p) => p.sequence < 0 || p.sequence === LAST_SEQUENCE);
  if (wrapped !== undefined) throw new SequenceWrappedError(path, wrapped.name);
  return queue;
}

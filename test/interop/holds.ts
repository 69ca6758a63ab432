import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from 'vitest';
import type { ZooKeeper } from '../../src/index.js';

/**
 * One hold of the lock by any contender, as the peers record it: times are CLOCK_MONOTONIC in
 * nanoseconds (Java's System.nanoTime, Python's time.monotonic_ns and Node's hrtime all read it
 * on Linux), so holds of different processes compare on one clock.
 */
export interface Hold {
  readonly who: string;
  readonly lib: 'zkcoord' | 'curator' | 'kazoo';
  /** `read` holds may share the lock with each other; every other mode writes. */
  readonly mode: string;
  /** The holder's lock node name: its sequence number is its place in the queue. */
  readonly node: string;
  readonly start: bigint;
  readonly end: bigint;
  /** The counter as the holder read it on acquiring. */
  readonly read: number;
  /** A reader's second read at the end of its hold. */
  readonly reread?: number;
}

export function isWriter(hold: Hold): boolean {
  return hold.mode !== 'read';
}

export function parseHolds(text: string): Hold[] {
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      const raw = JSON.parse(line) as Record<string, unknown>;
      return {
        ...(raw as unknown as Hold),
        start: BigInt(raw.start as string),
        end: BigInt(raw.end as string),
      };
    });
}

/**
 * The sequence number of a lock node of any of the three libraries, read after the node name
 * (zkcoord's and Curator's `lock-`, `__READ__`, `__WRIT__`; kazoo's `__lock__`, `__rlock__`).
 * Written here independently of src/, so the test does not trust the code it checks.
 */
export function sequenceOf(node: string): number {
  const match = /(?:lock-|__lock__|__rlock__|__READ__|__WRIT__)(-?\d{10})$/.exec(node);
  if (match?.[1] === undefined) throw new Error(`not a lock node: ${node}`);
  return Number(match[1]);
}

export interface ZkcoordContender {
  readonly zk: ZooKeeper;
  readonly who: string;
  /** Acquires (waiting) and resolves with something that has the node path and a release. */
  readonly acquire: () => Promise<{ readonly path: string; release(): Promise<void> }>;
  readonly write: boolean;
  /** Fixed hold time; default 1-5 ms at random. */
  readonly holdMs?: number;
}

/**
 * zkcoord's side of the check, the peers' contract in TypeScript: per iteration acquire, note
 * the start, read the counter, sleep (1-5 ms), write read + 1 unconditionally (a reader reads
 * again instead), note the end, release.
 */
export async function contend(
  contender: ZkcoordContender,
  iterations: number,
  counterPath: string,
): Promise<Hold[]> {
  const { zk, who, write, holdMs } = contender;
  const holds: Hold[] = [];
  for (let i = 0; i < iterations; i++) {
    const lease = await contender.acquire();
    const start = process.hrtime.bigint();
    const read = Number((await zk.getData(counterPath)).data.toString());
    await sleep(holdMs ?? 1 + Math.floor(Math.random() * 5));
    let reread: number | undefined;
    if (write) await zk.setData(counterPath, String(read + 1));
    else reread = Number((await zk.getData(counterPath)).data.toString());
    const end = process.hrtime.bigint();
    await lease.release();
    const node = lease.path.slice(lease.path.lastIndexOf('/') + 1);
    const mode = write ? 'write' : 'read';
    holds.push({
      who,
      lib: 'zkcoord',
      mode,
      node,
      start,
      end,
      read,
      ...(reread === undefined ? {} : { reread }),
    });
  }
  return holds;
}

function overlap(a: Hold, b: Hold): boolean {
  return a.start < b.end && b.start < a.end;
}

function show(hold: Hold): string {
  return `${hold.who} ${hold.mode} ${hold.node} [${hold.start}, ${hold.end}] read ${hold.read}`;
}

/**
 * Mutual exclusion and fair hand-off, from the holds alone: no two holds overlap; each holder
 * read what the one before it wrote (so the unconditional increments lost nothing and the final
 * count is the number of holds); and holders came in the order of their nodes' sequence numbers,
 * the queue order every library claims (a node created later never overtakes an earlier one).
 */
export function expectExclusive(holds: readonly Hold[], finalCount: number): void {
  const byStart = [...holds].sort((a, b) => (a.start < b.start ? -1 : 1));
  const overlapping: string[] = [];
  const outOfOrder: string[] = [];
  for (let i = 1; i < byStart.length; i++) {
    const [before, after] = [byStart[i - 1]!, byStart[i]!];
    if (overlap(before, after)) overlapping.push(`${show(before)} / ${show(after)}`);
    if (sequenceOf(after.node) <= sequenceOf(before.node))
      outOfOrder.push(`${show(before)} then ${show(after)}`);
  }
  expect(overlapping, 'holds that overlap').toEqual([]);
  expect(byStart.map((hold) => hold.read)).toEqual(byStart.map((_, i) => i));
  expect(finalCount).toBe(holds.length);
  expect(outOfOrder, 'holders out of queue order').toEqual([]);
}

/**
 * A read/write lock: writers overlap nobody, readers may overlap readers; readers see no write
 * during their hold; writers' increments lose nothing; and the queue order holds between a writer
 * and everyone else (whoever queued before a writer is done before it starts, whoever queued
 * after starts after it). Returns how many pairs of readers held the lock together.
 */
export function expectReadWrite(holds: readonly Hold[], finalCount: number): number {
  const writers = holds.filter(isWriter).sort((a, b) => (a.start < b.start ? -1 : 1));
  const violations: string[] = [];
  let sharedReads = 0;
  for (const [i, a] of holds.entries()) {
    for (const b of holds.slice(i + 1)) {
      if (!isWriter(a) && !isWriter(b)) {
        if (overlap(a, b)) sharedReads++;
        continue;
      }
      if (overlap(a, b)) violations.push(`overlap: ${show(a)} / ${show(b)}`);
      const [first, second] = sequenceOf(a.node) < sequenceOf(b.node) ? [a, b] : [b, a];
      if (second.start < first.end)
        violations.push(`out of order: ${show(first)} then ${show(second)}`);
    }
  }
  expect(violations).toEqual([]);
  for (const reader of holds.filter((hold) => !isWriter(hold))) {
    expect(reader.reread, show(reader)).toBe(reader.read);
  }
  expect(writers.map((hold) => hold.read)).toEqual(writers.map((_, i) => i));
  expect(finalCount).toBe(writers.length);
  return sharedReads;
}

/** Every hold a peer recorded lies within its lifetime on our clock: one clock for all, indeed. */
export function expectWithin(holds: readonly Hold[], from: bigint, to: bigint | undefined): void {
  expect(to).toBeDefined();
  for (const hold of holds) {
    expect(hold.start >= from && hold.end <= to! && hold.start <= hold.end, show(hold)).toBe(true);
  }
}

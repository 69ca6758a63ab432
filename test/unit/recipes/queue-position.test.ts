import { describe, expect, it } from 'vitest';
import { queueOrder } from '../../../src/recipes/coordination/node-names.js';
import { mutexDriver } from '../../../src/recipes/lock-core/mutex-driver.js';
import { afterDeletion, standingIn } from '../../../src/recipes/lock-core/queue-position.js';
import type { LockDriver } from '../../../src/recipes/lock-core/lock-driver.js';
import { readDriver, writeDriver } from '../../../src/recipes/read-write-lock/read-write-lock.js';

// The lock core's decisions on a listing, without a server: our place, whom we wait for, what
// else we watch, and which listing stays true after a deletion (the "early listing" that keeps
// a request off the hand-over). test/integration/lock-queue.test.ts counts the same on the wire.

const seq = (n: number): string => String(n).padStart(10, '0');
const lock = (n: number): string => `_c_${'a'.repeat(8)}-lock-${seq(n)}`;
const read = (n: number): string => `_c_${'b'.repeat(8)}-__READ__${seq(n)}`;
const write = (n: number): string => `_c_${'c'.repeat(8)}-__WRIT__${seq(n)}`;
const kazoo = (n: number): string => `${'d'.repeat(32)}__lock__${seq(n)}`;

function stand(children: string[], ours: string, driver: LockDriver) {
  const standing = standingIn(queueOrder(children, driver.markers), ours, driver);
  return standing && { ...standing, kept: standing.kept.map((p) => p.name) };
}

describe('standingIn: a mutex', () => {
  it('holds at the head of the queue, whatever else is listed', () => {
    expect(stand([lock(3), lock(1), 'other-node'], lock(1), mutexDriver)).toEqual({
      position: 0,
      blocker: undefined,
      ahead: undefined,
      kept: [lock(1), lock(3)],
    });
  });

  it('second: waits for the head and keeps the listing up to itself', () => {
    expect(stand([lock(1), lock(2), lock(3)], lock(2), mutexDriver)).toEqual({
      position: 1,
      blocker: lock(1),
      ahead: undefined,
      kept: [lock(1), lock(2)],
    });
  });

  it('third: also watches the node ahead of its blocker, to list before the hand-over', () => {
    expect(stand([lock(1), lock(2), lock(3), lock(4)], lock(3), mutexDriver)).toEqual({
      position: 2,
      blocker: lock(2),
      ahead: lock(1),
      kept: [lock(1), lock(2), lock(3)],
    });
  });

  it('further back: watches two nodes but keeps no listing (a deletion means listing again)', () => {
    const standing = stand([lock(1), lock(2), lock(3), lock(4)], lock(4), mutexDriver);
    expect(standing).toMatchObject({ position: 3, blocker: lock(3), ahead: lock(2), kept: [] });
  });

  it("counts kazoo's __lock__ nodes as contenders, in sequence order", () => {
    expect(stand([lock(2), kazoo(1)], lock(2), mutexDriver)).toMatchObject({
      position: 1,
      blocker: kazoo(1),
    });
  });

  it('is undefined when our node is not in the listing (it was deleted)', () => {
    expect(stand([lock(1), lock(3)], lock(2), mutexDriver)).toBeUndefined();
  });
});

describe('standingIn: a read/write lock', () => {
  it('readers behind a writer share it as blocker and watch nothing else', () => {
    const children = [write(1), read(2), read(3)];
    expect(stand(children, read(2), readDriver)).toMatchObject({
      position: 1,
      blocker: write(1),
      ahead: undefined,
    });
    expect(stand(children, read(3), readDriver)).toMatchObject({
      position: 2,
      blocker: write(1),
      ahead: undefined,
      kept: [write(1), read(2), read(3)],
    });
  });

  it('readers with no writer ahead hold together; a writer waits for the node just ahead', () => {
    const children = [read(1), read(2), write(3)];
    expect(stand(children, read(2), readDriver)?.position).toBe(0);
    expect(stand(children, write(3), writeDriver)).toMatchObject({
      position: 2,
      blocker: read(2),
      ahead: read(1),
    });
  });

  it('a reader waits for the nearest writer ahead, not the first', () => {
    const children = [write(1), read(2), write(3), read(4)];
    expect(stand(children, read(4), readDriver)).toMatchObject({
      blocker: write(3),
      ahead: read(2),
      kept: [],
    });
  });
});

describe('afterDeletion', () => {
  const kept = queueOrder([lock(1), lock(2), lock(3)], mutexDriver.markers);

  it('the head went: the rest of the listing is still true, no new listing', () => {
    expect(afterDeletion(kept, lock(1))?.map((p) => p.name)).toEqual([lock(2), lock(3)]);
  });

  it('another node went: only a new listing can tell', () => {
    expect(afterDeletion(kept, lock(2))).toBeUndefined();
    expect(afterDeletion([], lock(1))).toBeUndefined();
  });
});

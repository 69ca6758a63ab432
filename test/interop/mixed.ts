import { afterAll, beforeAll, expect } from 'vitest';
import { Mutex } from '../../src/recipes/index.js';
import type { QueueEntry } from '../../src/recipes/index.js';
import { until } from '../support/poll.js';
import { InteropEnv, libraryChanges, QUEUEING, runTogether, timed } from './env.js';
import type { MixedRun } from './env.js';
import { contend, expectExclusive } from './holds.js';
import type { Hold } from './holds.js';
import { required } from './peers.js';
import type { CuratorInstall, Found, LockerArgs, Peer } from './peers.js';

// What the interop files share: their world's lifecycle, and the two mutex checks that Curator
// and kazoo each go through against zkcoord, told apart only by which peer they launch.

/**
 * For the enclosing describe: an InteropEnv with every peer found, started when all of `needed`
 * were found, stopped after its last test. The returned function gives it to a test, or fails
 * naming what is missing (under CI, where a missing peer does not skip the tests).
 */
export function interopWorld(
  peers: { curator?: Found<CuratorInstall>; kazoo?: Found<{ readonly python: string }> },
  needed: readonly Found<unknown>[],
): (...also: Found<unknown>[]) => InteropEnv {
  let started: InteropEnv | undefined;
  beforeAll(async () => {
    if (!needed.every((found) => found.ok)) return;
    const { curator, kazoo } = peers;
    started = await InteropEnv.start({
      ...(curator?.ok === true ? { curator: curator.value } : {}),
      ...(kazoo?.ok === true ? { kazoo: kazoo.value } : {}),
    });
  });
  afterAll(async () => {
    await started?.stop();
  });
  return (...also) => {
    for (const found of [...needed, ...also]) required(found);
    if (started === undefined) throw new Error('interopWorld: read in a test, after beforeAll');
    return started;
  };
}

/** Starts one of the other library's contenders on the lock and counter `args` name. */
export type Launch = (env: InteropEnv, args: LockerArgs) => Peer;

/**
 * Two peer processes and two zkcoord sessions taking turns on one mutex, `iterations` holds
 * each: every increment kept, no two holds overlapping, and the lock really changing hands
 * between the libraries again and again.
 */
export async function mutexTurns(
  env: InteropEnv,
  name: string,
  launch: Launch,
  iterations: number,
): Promise<MixedRun & { crossings: number; lockPath: string }> {
  const args = await env.fresh(name);
  const peers = [0, 1].map(() => launch(env, { ...args, mode: 'mutex', iterations }));
  const zks = await Promise.all([env.client(), env.client()]);
  const ours = zks.map((zk, i) => () => {
    const mutex = new Mutex(zk, args.lockPath, { id: `zkcoord-${i}` });
    const acquire = () => mutex.acquire();
    return contend({ zk, who: `zkcoord-${i}`, write: true, acquire }, iterations, args.counterPath);
  });
  const run = await runTogether(peers, ours);

  expect(run.holds).toHaveLength(4 * iterations);
  expectExclusive(run.holds, await env.counter(args.counterPath));
  const crossings = libraryChanges(run.holds);
  expect(crossings).toBeGreaterThan(iterations);
  return { ...run, crossings, lockPath: args.lockPath };
}

export interface QueueOrder {
  /** The queue as zkcoord listed it: A holding, the peer, then B. */
  readonly queue: QueueEntry[];
  /** The peer's first hold, and the one it took after queueing again. */
  readonly theirs: readonly [Hold, Hold];
}

/**
 * A peer queued before a zkcoord waiter B gets the lock first, and after B when it queues again:
 * zkcoord places the peer's node by its sequence number alone. `ids` names zkcoord's A and B.
 */
export async function queueOrder(
  env: InteropEnv,
  name: string,
  launch: Launch,
  ids: { a?: string; b?: string } = {},
): Promise<QueueOrder> {
  const args = await env.fresh(name);
  const [a, b] = await Promise.all([env.client(), env.client()]);
  const mutexA = new Mutex(a, args.lockPath, ids.a === undefined ? {} : { id: ids.a });
  const mutexB = new Mutex(b, args.lockPath, ids.b === undefined ? {} : { id: ids.b });
  const peer = launch(env, { ...args, mode: 'mutex', iterations: 2 });
  await peer.ready();
  const first = await mutexA.acquire();
  peer.go();
  await until(
    'the peer to queue',
    async () => (await mutexA.participants()).length === 2,
    QUEUEING,
  );
  const second = timed(mutexB.acquire());
  await until('B to queue', async () => (await mutexA.participants()).length === 3, QUEUEING);
  const queue = await mutexA.participants();

  await first.release();
  const { lease, at: bAt } = await second;
  // The peer, done with its first hold, queues again: now behind B.
  await until(
    'the peer to queue again',
    async () => (await mutexB.participants()).length === 2,
    QUEUEING,
  );
  await lease.release();
  const [h1, h2] = (await peer.finished()).sort((x, y) => (x.start < y.start ? -1 : 1));

  expect(queue.map((entry) => entry.path)).toEqual([
    first.path,
    `${args.lockPath}/${h1!.node}`,
    lease.path,
  ]);
  expect(h1!.end).toBeLessThan(bAt);
  expect(bAt).toBeLessThan(h2!.start);
  return { queue, theirs: [h1!, h2!] };
}

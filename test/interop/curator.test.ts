import { describe, expect, it } from 'vitest';
import { ReadWriteLock } from '../../src/recipes/index.js';
import { until } from '../support/poll.js';
import { contend, expectReadWrite } from './holds.js';
import { QUEUEING, runTogether, timed } from './env.js';
import { interopWorld, mutexTurns, queueOrder } from './mixed.js';
import type { Launch } from './mixed.js';
import { findCurator, skipWithoutPeers } from './peers.js';

/**
 * zkcoord and real Curator 5 processes (Debian's libcurator-recipes-java; CuratorLocker.java is
 * compiled here) contending on one lock path, with the check of docs/interop.md: unconditional
 * increments under the lock lose nothing, holds never overlap, holders follow the queue.
 */
const curator = await findCurator();
const ITERATIONS = 25;
/** Readers hold longer than writers, so that they meet other readers and really share. */
const READ_HOLD_MS = 15;

const launchCurator: Launch = (env, args) => env.peers.curatorLocker(args);

describe.skipIf(skipWithoutPeers([curator], 'Curator interop'))('zkcoord and Curator', () => {
  /** The file's world; under CI without Curator, each test fails saying what is missing. */
  const world = interopWorld({ curator }, [curator]);

  it('InterProcessMutex: 2 Curator processes and 2 zkcoord sessions exclude each other, in queue order', async () => {
    const env = world();
    const { holds, theirs, tookMs, crossings, lockPath } = await mutexTurns(
      env,
      'mutex',
      launchCurator,
      ITERATIONS,
    );
    // Curator's nodes have zkcoord's layout, so each library reads the other's sequence numbers.
    const curatorNodes = theirs.flat().map((hold) => hold.node);
    expect(curatorNodes.every((node) => /^_c_[0-9a-f-]{36}-lock-\d{10}$/.test(node))).toBe(true);
    expect(await env.children(lockPath)).toEqual([]);
    console.info(
      `Curator mutex: ${holds.length} holds, ${crossings} hand-offs between libraries, ${tookMs.toFixed(0)} ms`,
    );
  });

  it('InterProcessMutex: a Curator waiter queued before a zkcoord waiter gets the lock first, and after it when it queues again', async () => {
    await queueOrder(world(), 'order', launchCurator, { a: 'zkcoord-a', b: 'zkcoord-b' });
  });

  it('InterProcessReadWriteLock: writers of both exclude everyone, readers only writers, in queue order', async () => {
    const env = world();
    const args = await env.fresh('rw');
    const iterations = 15;
    const javas = [
      env.peers.curatorLocker({ ...args, mode: 'write', iterations }),
      env.peers.curatorLocker({ ...args, mode: 'read', iterations, holdMs: READ_HOLD_MS }),
    ];
    const zks = await Promise.all([env.client(), env.client(), env.client()]);
    const ours = zks.map((zk, i) => () => {
      const rw = new ReadWriteLock(zk, args.lockPath, { id: `zkcoord-${i}` });
      const write = i === 0;
      const lock = write ? rw.writeLock : rw.readLock;
      const contender = {
        zk,
        who: `zkcoord-${write ? 'writer' : 'reader'}-${i}`,
        write,
        acquire: () => lock.acquire(),
        ...(write ? {} : { holdMs: READ_HOLD_MS }),
      };
      return contend(contender, iterations, args.counterPath);
    });
    const { holds, theirs, tookMs } = await runTogether(javas, ours);

    expect(holds).toHaveLength(5 * iterations);
    const shared = expectReadWrite(holds, await env.counter(args.counterPath));
    // Readers did share: a read/write lock that behaved as a mutex would pass the rest.
    expect(shared).toBeGreaterThan(0);
    const curatorNodes = theirs.flat().map((hold) => hold.node);
    const layout = /^_c_[0-9a-f-]{36}-__(READ|WRIT)__\d{10}$/;
    expect(curatorNodes.every((node) => layout.test(node))).toBe(true);
    console.info(
      `Curator read/write lock: ${holds.length} holds, ${shared} pairs of readers together, ${tookMs.toFixed(0)} ms`,
    );
  });

  it('InterProcessReadWriteLock: a Curator reader shares a zkcoord read hold; a queued Curator writer holds back later zkcoord readers', async () => {
    const env = world();
    const args = await env.fresh('rw-order');
    const reader = env.peers.curatorLocker({ ...args, mode: 'read', iterations: 1, holdMs: 0 });
    const writer = env.peers.curatorLocker({ ...args, mode: 'write', iterations: 1 });
    const [a, b] = await Promise.all([env.client(), env.client()]);
    await Promise.all([reader.ready(), writer.ready()]);
    const lockA = new ReadWriteLock(a, args.lockPath).readLock;
    const first = await lockA.acquire();

    // Readers share: Curator's reader comes and goes while zkcoord's holds.
    reader.go();
    const [read] = await reader.finished();
    expect(read!.mode).toBe('read');

    // A writer queues behind our reader, and a reader that comes after the writer waits for it.
    writer.go();
    await until(
      'the writer to queue',
      async () => (await lockA.participants()).length === 2,
      QUEUEING,
    );
    const late = timed(new ReadWriteLock(b, args.lockPath).readLock.acquire());
    await until(
      'the late reader to queue',
      async () => (await lockA.participants()).length === 3,
      QUEUEING,
    );
    const queue = await lockA.participants();
    expect(queue.map((entry) => entry.holds)).toEqual([true, false, false]);

    const releasedAt = process.hrtime.bigint();
    await first.release();
    const [written] = await writer.finished();
    const { lease, at: lateAt } = await late;
    await lease.release();
    expect(queue[1]!.name).toBe(written!.node);
    expect(written!.start).toBeGreaterThan(releasedAt);
    expect(lateAt).toBeGreaterThan(written!.end);
  });
});

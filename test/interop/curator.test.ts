import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Mutex, ReadWriteLock } from '../../src/recipes/index.js';
import { until } from '../support/poll.js';
import { contend, expectExclusive, expectReadWrite } from './holds.js';
import { InteropEnv, libraryChanges, QUEUEING, runTogether, timed } from './env.js';
import { findCurator, required, skipWithoutPeers } from './peers.js';

/**
 * zkcoord and real Curator 5 processes (Debian's libcurator-recipes-java; CuratorLocker.java is
 * compiled here) contending on one lock path, with the check of docs/interop.md: unconditional
 * increments under the lock lose nothing, holds never overlap, holders follow the queue.
 */
const curator = await findCurator();
const ITERATIONS = 25;
/** Readers hold longer than writers, so that they meet other readers and really share. */
const READ_HOLD_MS = 15;

describe.skipIf(skipWithoutPeers([curator], 'Curator interop'))('zkcoord and Curator', () => {
  let started: InteropEnv | undefined;

  beforeAll(async () => {
    if (curator.ok) started = await InteropEnv.start({ curator: curator.value });
  });

  afterAll(async () => {
    await started?.stop();
  });

  /** The file's world; under CI without Curator, each test fails saying what is missing. */
  function world(): InteropEnv {
    required(curator);
    return started!;
  }

  it('InterProcessMutex: 2 Curator processes and 2 zkcoord sessions exclude each other, in queue order', async () => {
    const env = world();
    const args = await env.fresh('mutex');
    const javas = [0, 1].map(() =>
      env.peers.curatorLocker({ ...args, mode: 'mutex', iterations: ITERATIONS }),
    );
    const zks = await Promise.all([env.client(), env.client()]);
    const ours = zks.map((zk, i) => () => {
      const mutex = new Mutex(zk, args.lockPath, { id: `zkcoord-${i}` });
      const acquire = () => mutex.acquire();
      return contend(
        { zk, who: `zkcoord-${i}`, write: true, acquire },
        ITERATIONS,
        args.counterPath,
      );
    });
    const { holds, theirs, tookMs } = await runTogether(javas, ours);

    expect(holds).toHaveLength(4 * ITERATIONS);
    expectExclusive(holds, await env.counter(args.counterPath));
    // The contenders really took turns: the lock changed hands between libraries again and again.
    const crossings = libraryChanges(holds);
    expect(crossings).toBeGreaterThan(ITERATIONS);
    // Curator's nodes have zkcoord's layout, so each library reads the other's sequence numbers.
    const curatorNodes = theirs.flat().map((hold) => hold.node);
    expect(curatorNodes.every((node) => /^_c_[0-9a-f-]{36}-lock-\d{10}$/.test(node))).toBe(true);
    expect(await env.children(args.lockPath)).toEqual([]);
    console.info(
      `Curator mutex: ${holds.length} holds, ${crossings} hand-offs between libraries, ${tookMs.toFixed(0)} ms`,
    );
  });

  it('InterProcessMutex: a Curator waiter queued before a zkcoord waiter gets the lock first, and after it when it queues again', async () => {
    const env = world();
    const args = await env.fresh('order');
    const [a, b] = await Promise.all([env.client(), env.client()]);
    const mutexA = new Mutex(a, args.lockPath, { id: 'zkcoord-a' });
    const mutexB = new Mutex(b, args.lockPath, { id: 'zkcoord-b' });
    const java = env.peers.curatorLocker({ ...args, mode: 'mutex', iterations: 2 });
    await java.ready();
    const first = await mutexA.acquire();
    java.go();
    await until(
      'the peer to queue',
      async () => (await mutexA.participants()).length === 2,
      QUEUEING,
    );
    const second = timed(mutexB.acquire());
    await until(
      'zkcoord-b to queue',
      async () => (await mutexA.participants()).length === 3,
      QUEUEING,
    );
    const queue = (await mutexA.participants()).map((entry) => entry.path);

    await first.release();
    const { lease, at: bAt } = await second;
    // Curator, done with its first hold, queues again: now behind us.
    await until(
      'the peer to queue again',
      async () => (await mutexB.participants()).length === 2,
      QUEUEING,
    );
    await lease.release();
    const [h1, h2] = (await java.finished()).sort((x, y) => (x.start < y.start ? -1 : 1));

    // zkcoord saw the queue as A, Curator, B: Curator's node sorted among ours by its sequence.
    expect(queue).toEqual([first.path, `${args.lockPath}/${h1!.node}`, lease.path]);
    expect(h1!.end).toBeLessThan(bAt);
    expect(bAt).toBeLessThan(h2!.start);
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

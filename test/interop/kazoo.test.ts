import { describe, expect, it } from 'vitest';
import { Mutex } from '../../src/recipes/index.js';
import { contend, expectExclusive, sequenceOf } from './holds.js';
import { libraryChanges, runTogether } from './env.js';
import { interopWorld, mutexTurns, queueOrder } from './mixed.js';
import type { Launch } from './mixed.js';
import { findCurator, findKazoo, skipWithoutPeers } from './peers.js';

/**
 * zkcoord and real kazoo processes (Debian's python3-kazoo; kazoo_locker.py) on one lock path,
 * and what happens when Curator joins them (docs/interop.md, "Which mixes are safe").
 */
const [kazoo, curator] = await Promise.all([findKazoo(), findCurator()]);
const ITERATIONS = 25;
/** kazoo's own node name: `<uuid hex>__lock__<seq>`. */
const KAZOO_NODE = /^[0-9a-f]{32}__lock__\d{10}$/;

/** The tests that mix in Curator need it too; without it (outside CI) only they are skipped. */
const withoutCurator = skipWithoutPeers([curator], 'kazoo interop, the tests with Curator');

const launchKazoo: Launch = (env, args) => env.peers.kazooLocker(args);

describe.skipIf(skipWithoutPeers([kazoo], 'kazoo interop'))('zkcoord and kazoo', () => {
  /** The file's world; under CI without a peer, each test fails saying what is missing. */
  const world = interopWorld({ kazoo, curator }, [kazoo]);

  it('kazoo Lock with extra_lock_patterns and zkcoord Mutex: 2 processes and 2 sessions exclude each other, in queue order', async () => {
    const { holds, theirs, tookMs, crossings } = await mutexTurns(
      world(),
      'kazoo',
      launchKazoo,
      ITERATIONS,
    );
    // kazoo kept its own names: zkcoord ordered them by the sequence after `__lock__`.
    expect(theirs.flat().every((hold) => KAZOO_NODE.test(hold.node))).toBe(true);
    console.info(
      `kazoo mutex: ${holds.length} holds, ${crossings} hand-offs between libraries, ${tookMs.toFixed(0)} ms`,
    );
  });

  it('kazoo Lock: a kazoo waiter queued before a zkcoord waiter gets the lock first, and after it when it queues again', async () => {
    const { queue, theirs } = await queueOrder(world(), 'kazoo-order', launchKazoo);
    // zkcoord lists kazoo's node with kazoo's identifier as its data.
    expect(queue[1]!.data.toString()).toBe(theirs[0].who);
  });

  it.skipIf(withoutCurator)(
    "UNSAFE, documented: Curator does not order kazoo's own node names and takes a lock kazoo holds",
    async () => {
      const env = world(curator);
      const args = await env.fresh('kazoo-curator');
      // kazoo honours Curator's nodes (extra_lock_patterns); the hazard is Curator's reading of kazoo's.
      const python = env.peers.kazooLocker({ ...args, mode: 'mutex', iterations: 1, holdMs: 1500 });
      const java = env.peers.curatorLocker({ ...args, mode: 'mutex', iterations: 1, holdMs: 0 });
      const zk = await env.client();
      await Promise.all([python.ready(), java.ready()]);
      python.go();
      const kazooNode = await python.acquired();
      java.go();
      const curatorNode = await java.acquired();
      // zkcoord, asked at the same moment, sees kazoo's node first and does not take the lock.
      const ours = await new Mutex(zk, args.lockPath).tryAcquire();
      const [kazooHold] = await python.finished();
      const [curatorHold] = await java.finished();

      expect(ours).toBeUndefined();
      // Curator queued after kazoo (a larger sequence number) and still held inside kazoo's hold.
      expect(sequenceOf(curatorNode)).toBeGreaterThan(sequenceOf(kazooNode));
      expect(curatorHold!.start).toBeGreaterThan(kazooHold!.start);
      expect(curatorHold!.end).toBeLessThan(kazooHold!.end);
      // The check of the other tests catches it: a lost update, overlapping holds.
      expect(await env.counter(args.counterPath)).toBe(1);
      expect(() => {
        expectExclusive([kazooHold!, curatorHold!], 1);
      }).toThrow();
    },
  );

  it.skipIf(withoutCurator)(
    "kazoo Lock with Curator's node name, Curator and zkcoord: all three exclude each other, in queue order",
    async () => {
      const env = world(curator);
      const args = await env.fresh('three');
      const peers = [
        env.peers.kazooLocker({ ...args, mode: 'curator-names', iterations: ITERATIONS }),
        env.peers.kazooLocker({ ...args, mode: 'curator-names', iterations: ITERATIONS }),
        env.peers.curatorLocker({ ...args, mode: 'mutex', iterations: ITERATIONS }),
      ];
      const zk = await env.client();
      const mutex = new Mutex(zk, args.lockPath, { id: 'zkcoord' });
      const acquire = () => mutex.acquire();
      const ours = () =>
        contend({ zk, who: 'zkcoord', write: true, acquire }, ITERATIONS, args.counterPath);
      const { holds, theirs, tookMs } = await runTogether(peers, [ours]);

      expect(holds).toHaveLength(4 * ITERATIONS);
      expectExclusive(holds, await env.counter(args.counterPath));
      const libraries = new Set(holds.map((hold) => hold.lib));
      expect([...libraries].sort()).toEqual(['curator', 'kazoo', 'zkcoord']);
      const kazooNodes = theirs
        .slice(0, 2)
        .flat()
        .map((hold) => hold.node);
      expect(kazooNodes.every((node) => /^[0-9a-f]{32}-lock-\d{10}$/.test(node))).toBe(true);
      console.info(
        `kazoo (Curator names) + Curator + zkcoord: ${holds.length} holds, ${libraryChanges(holds)} hand-offs between libraries, ${tookMs.toFixed(0)} ms`,
      );
    },
  );
});

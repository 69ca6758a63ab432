import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Mutex } from '../../src/recipes/index.js';
import { buildCli, CliRun } from '../integration/cli-helpers.js';
import type { BuiltCli } from '../integration/cli-helpers.js';
import { until } from '../support/poll.js';
import { QUEUEING } from './env.js';
import { interopWorld } from './mixed.js';
import { findCurator, findKazoo, skipWithoutPeers } from './peers.js';

/**
 * `zkcoord locks` on a queue made by real Curator and kazoo processes and zkcoord sessions:
 * each contender in its place, named by its session, with the client that made it.
 */
const [curator, kazoo] = await Promise.all([findCurator(), findKazoo()]);
/** Longer than the test: the Curator holder keeps the lock until the peers are killed. */
const HOLD_MS = 600_000;

interface JsonEntry {
  state: string;
  node: string;
  session: string;
  client: string;
  data: string | null;
}

describe.skipIf(skipWithoutPeers([curator, kazoo], 'zkcoord locks interop'))(
  'zkcoord locks with Curator and kazoo contenders',
  () => {
    const world = interopWorld({ curator, kazoo }, [curator, kazoo]);
    let cli: BuiltCli;
    const waits = new AbortController();

    beforeAll(async () => {
      cli = await buildCli();
    }, 120_000);

    afterAll(async () => {
      waits.abort();
      await cli.remove();
    });

    it('a Curator holder, then zkcoord, Curator, zkcoord and kazoo waiters, in queue order', async () => {
      const env = world();
      const args = await env.fresh('cli-locks');
      const { lockPath } = args;
      const queued = async (n: number): Promise<void> => {
        await until(
          `${n} contenders in the queue`,
          async () => (await new Mutex(env.admin, lockPath).participants()).length >= n,
          QUEUEING,
        );
      };
      const zkcoordWaiter = async (n: number): Promise<string> => {
        const zk = await env.client();
        new Mutex(zk, lockPath, { id: `zkcoord-${n}` })
          .acquire({ signal: waits.signal })
          .catch(() => undefined);
        await queued(n);
        return `0x${zk.sessionId.toString(16)}`;
      };

      const holder = env.peers.curatorLocker({
        ...args,
        mode: 'mutex',
        iterations: 1,
        holdMs: HOLD_MS,
      });
      await holder.ready();
      holder.go();
      const held = await holder.acquired();
      const first = await zkcoordWaiter(2);
      const curatorWaiter = env.peers.curatorLocker({ ...args, mode: 'mutex', iterations: 1 });
      await curatorWaiter.ready();
      curatorWaiter.go();
      await queued(3);
      const second = await zkcoordWaiter(4);
      // kazoo's own node name, told about ours (docs/interop.md): last, so Curator's misreading
      // of `__lock__` names cannot matter here.
      const python = env.peers.kazooLocker({ ...args, mode: 'mutex', iterations: 1 });
      await python.ready();
      python.go();
      await queued(5);

      const json = await new CliRun(cli.main, [
        'locks',
        '--json',
        lockPath,
        '--connect',
        env.connect,
      ]).exited;
      expect(json).toMatchObject({ code: 0, stderr: '' });
      const queue = (JSON.parse(json.stdout) as { queue: JsonEntry[] }).queue;
      expect(queue.map((entry) => [entry.state, entry.client])).toEqual([
        ['holds', 'curator'],
        ['waits', 'zkcoord'],
        ['waits', 'curator'],
        ['waits', 'zkcoord'],
        ['waits', 'kazoo'],
      ]);
      expect(queue[0]?.node).toBe(held);
      expect([queue[1]?.session, queue[3]?.session]).toEqual([first, second]);
      expect(queue[4]?.node).toMatch(/^[0-9a-f]{32}__lock__\d{10}$/);
      // Every contender is a session of its own.
      expect(new Set(queue.map((entry) => entry.session)).size).toBe(5);
      // Curator's node data is the client's IP address.
      expect(queue[0]?.data).toMatch(/^[0-9a-f.:]+$/);

      const human = await new CliRun(cli.main, ['locks', lockPath, '--connect', env.connect])
        .exited;
      expect(human).toMatchObject({ code: 0, stderr: '' });
      const lines = human.stdout.trimEnd().split('\n');
      expect(lines[0]).toBe(`${lockPath} (mutex): 1 holder, 4 waiting`);
      // Position, state, session and client; the age between them varies.
      const cells = lines.slice(2).map((line) => line.split(/ {2,}/));
      expect(cells.map((row) => [row[0], row[1], row[2], row[4]])).toEqual(
        queue.map((entry, i) => [String(i + 1), entry.state, entry.session, entry.client]),
      );
    }, 120_000);
  },
);

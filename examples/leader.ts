/**
 * Three candidates elect a leader; each leads for a moment (run() with requeue) while an
 * observer prints every change of leader.
 *
 *   npm run example:leader                                  # starts a throwaway local ZooKeeper
 *   ZKCOORD_CONNECT=127.0.0.1:2181 npm run example:leader   # or uses yours
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { ZooKeeper } from 'zkcoord';
import { LeaderElection } from 'zkcoord/recipes';
import { ZooKeeperServer } from 'zkcoord/testing';

const server =
  process.env.ZKCOORD_CONNECT === undefined ? await ZooKeeperServer.start() : undefined;
const connectString = process.env.ZKCOORD_CONNECT ?? server?.connectString ?? '';
const PATH = '/examples/leader';
const done = new AbortController();

async function candidate(name: string): Promise<void> {
  await using zk = await ZooKeeper.connect(connectString, { sessionTimeout: 10_000 });
  let terms = 0;
  await new LeaderElection(zk, PATH, { id: name }).run(
    async (leadership) => {
      console.log(`${name} leads (epoch ${leadership.epoch})`);
      // Real work would pass leadership.signal along and present leadership.epoch to the resource.
      await sleep(100, undefined, { signal: leadership.signal });
      if (++terms === 2) done.abort();
    },
    { requeue: true, signal: done.signal },
  );
}

async function observer(): Promise<void> {
  await using zk = await ZooKeeper.connect(connectString);
  for await (const leader of new LeaderElection(zk, PATH).observe({ signal: done.signal })) {
    console.log(`observer: ${leader === undefined ? 'nobody leads' : `${leader.id} leads`}`);
  }
}

try {
  await Promise.all([observer(), ...['alpha', 'beta', 'gamma'].map(candidate)]);
} finally {
  await server?.stop();
}

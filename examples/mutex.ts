/**
 * Three sessions take turns on one Mutex, each doing guarded work with its fencing token.
 *
 *   npm run example:mutex                                  # starts a throwaway local ZooKeeper
 *   ZKCOORD_CONNECT=127.0.0.1:2181 npm run example:mutex   # or uses yours
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { ZooKeeper } from 'zkcoord';
import { Mutex } from 'zkcoord/recipes';
import { ZooKeeperServer } from 'zkcoord/testing';

const server =
  process.env.ZKCOORD_CONNECT === undefined ? await ZooKeeperServer.start() : undefined;
const connectString = process.env.ZKCOORD_CONNECT ?? server?.connectString ?? '';

async function worker(name: string): Promise<void> {
  await using zk = await ZooKeeper.connect(connectString, { sessionTimeout: 10_000 });
  const mutex = new Mutex(zk, '/examples/mutex', { id: name });
  for (let round = 1; round <= 3; round++) {
    await mutex.withLock(
      async (lease) => {
        console.log(`${name} holds the lock (round ${round}, fencing token ${lease.fencingToken})`);
        // Real work would pass lease.signal along and present lease.fencingToken to the resource.
        await sleep(100, undefined, { signal: lease.signal });
      },
      {
        timeout: 30_000,
        onPosition: (position) => {
          if (position > 0) console.log(`${name} waits, ${position} ahead`);
        },
      },
    );
  }
}

try {
  await Promise.all(['alpha', 'beta', 'gamma'].map(worker));
} finally {
  await server?.stop();
}

import { describe, expect, it } from 'vitest';
import { ZooKeeper } from '../../src/index.js';
import { LockTimeoutError, Mutex } from '../../src/recipes/index.js';
import type { Lease } from '../../src/recipes/index.js';
import type { WireCounts } from '../../src/testing/index.js';
import { rejectionOf, until, within } from '../support/poll.js';
import { faultFixture } from './fixture.js';
import type { Via } from './fixture.js';
import { childrenOf, everyoneWaits, figure, nameOf, sequenceOf } from './lock-helpers.js';
import { sum } from './session-helpers.js';

// The queue itself under stress: waiters leaving mid-queue, a long queue handed down one by one
// (counted on the wire, one FaultProxy per waiter so each waiter's share is known), and the lock's
// container reaped by the server between holders. Every contender has a session of its own.

const SESSION_TIMEOUT = 10_000;
const WAITERS = 50;
const EXISTS = 3;
const GET_CHILDREN2 = 12;

const fixture = faultFixture({
  // Write-heavy (50 waiters' nodes and deletes): no fsync per write.
  server: { logLevel: 'warn', config: { forceSync: 'no' } },
  rootPrefix: 'queue',
  observer: 'file',
  proxy: 'none',
  clientOptions: { sessionTimeout: SESSION_TIMEOUT },
});

function open(via: Via = 'direct'): Promise<ZooKeeper> {
  return fixture.connect(via);
}

async function queueOf(lockPath: string): Promise<string[]> {
  return childrenOf(fixture.observer, `${fixture.root}${lockPath}`);
}

/** A contender's acquire, its reported places and whether it settled, all seen synchronously. */
function contend(zk: ZooKeeper, options: { timeout?: number; signal?: AbortSignal } = {}) {
  const positions: number[] = [];
  const waiting = new Mutex(zk, '/lock').acquire({
    ...options,
    onPosition: (p) => positions.push(p),
  });
  // The test awaits or inspects `waiting` itself; a rejection must not also count as unhandled.
  waiting.catch(() => undefined);
  return { waiting, positions };
}

describe('waiters leaving mid-queue', () => {
  it('a timed-out and an aborted waiter close their gaps; the last one acquires, nothing left', async () => {
    const holder = await new Mutex(await open(), '/lock').acquire();
    const controller = new AbortController();
    const aborting = contend(await open(), { signal: controller.signal });
    await until('the first waiter to queue', () => aborting.positions.length > 0);
    // The middle one gives up on its own; 1 s is ample to queue the last one behind it.
    const middle = contend(await open(), { timeout: 1000 });
    await until('the middle waiter to queue', () => middle.positions.length > 0);
    const last = contend(await open());
    await until('the last waiter to queue', () => last.positions.length > 0);
    expect([aborting.positions, middle.positions, last.positions]).toEqual([[1], [2], [3]]);
    expect(await queueOf('/lock')).toHaveLength(4);

    expect(await within('the middle waiter', rejectionOf(middle.waiting))).toBeInstanceOf(
      LockTimeoutError,
    );
    await until('the last waiter to move up', () => last.positions.length === 2);
    expect(await queueOf('/lock')).toHaveLength(3);

    const reason = new Error('the caller changed its mind');
    controller.abort(reason);
    expect(await within('the aborted waiter', rejectionOf(aborting.waiting))).toBe(reason);
    await until('the last waiter to move up', () => last.positions.length === 3);
    expect(await queueOf('/lock')).toHaveLength(2);

    await holder.release();
    const lease = await within('the last waiter to acquire', last.waiting);
    // Its place as the gaps closed: behind three, two, one, then holding.
    expect(last.positions).toEqual([3, 2, 1, 0]);
    expect(lease.fencingToken).toBeGreaterThan(holder.fencingToken);
    expect(await queueOf('/lock')).toEqual([nameOf(lease)]);
    await lease.release();
    expect(await queueOf('/lock')).toEqual([]);
  });
});

describe(`a queue of ${WAITERS} waiters, each releasing as soon as it holds`, () => {
  it('hands down in queue order, each release waking two waiters at most', async () => {
    // Holder and waiters each through a proxy of their own: the counts say who got what.
    const via = await Promise.all(Array.from({ length: WAITERS + 1 }, () => fixture.startProxy()));
    const [holderZk, ...waiterZks] = await Promise.all(via.map((p) => open(p)));
    const holder = await new Mutex(holderZk!, '/lock').acquire();
    const acquired: { waiter: number; lease: Lease; before: WireCounts }[] = [];
    const chain = waiterZks.map(async (zk, waiter) => {
      const lease = await new Mutex(zk, '/lock').acquire();
      // What reached this waiter between the reset and its hold: its wake-up, and nothing else.
      acquired.push({ waiter, lease, before: via[waiter + 1]!.counts() });
      await lease.release();
    });
    await until(
      'every waiter to queue',
      async () => (await queueOf('/lock')).length === WAITERS + 1,
    );
    await everyoneWaits(fixture.server, fixture.observer, `${fixture.root}/lock`, WAITERS + 1);

    for (const proxy of via) proxy.resetCounts();
    const startedAt = performance.now();
    await holder.release();
    await within('the chain of handoffs', Promise.all(chain), 60_000);
    const elapsed = performance.now() - startedAt;

    // Queue order: sequence numbers and fencing tokens grow along the chain.
    const sequences = acquired.map(({ lease }) => sequenceOf(nameOf(lease)));
    expect(sequences).toEqual([...sequences].sort((x, y) => x - y));
    expect(new Set(sequences).size).toBe(WAITERS);
    const tokens = [holder.fencingToken, ...acquired.map(({ lease }) => lease.fencingToken)];
    for (let i = 1; i < tokens.length; i++) expect(tokens[i]).toBeGreaterThan(tokens[i - 1]!);
    // No herd: a release wakes two waiters at most. The first waiter was woken once, by the
    // holder's release; every later one twice: when the node two ahead went (it then listed
    // while its predecessor held) and when its predecessor released.
    const wakes = acquired.map(({ before }) => before.serverToClient.notifications);
    expect(wakes).toEqual([1, ...new Array<number>(WAITERS - 1).fill(2)]);
    const handoffs = WAITERS;
    const releases = WAITERS + 1;
    // Listings after the holder's release: none by the first two waiters (the holder headed
    // their listings, so its going needs no new one), one by every later waiter, when the node
    // two ahead of it went (test/integration/lock-queue.test.ts shows that this comes before the
    // release that hands over to it).
    const listings = acquired.map(
      ({ before }) => before.clientToServer.byOpcode[GET_CHILDREN2] ?? 0,
    );
    expect(listings).toEqual([0, 0, ...new Array<number>(WAITERS - 2).fill(1)]);
    expect(await queueOf('/lock')).toEqual([]);

    const after = via.map((p) => p.counts());
    const notifications = sum(after, (c) => c.serverToClient.notifications);
    // On the wire in all: those wake-ups plus each releaser's own node's deletion, at most three
    // per release, however long the queue (a herd would be some fifty).
    expect(notifications).toBeLessThanOrEqual(3 * releases);
    const requests = sum(after, (c) => c.clientToServer.requests);
    const byOpcode = new Map<number, number>();
    for (const counts of after) {
      for (const [opcode, n] of Object.entries(counts.clientToServer.byOpcode)) {
        if (Number(opcode) === 11) continue; // pings are not the lock's doing
        byOpcode.set(Number(opcode), (byOpcode.get(Number(opcode)) ?? 0) + n);
      }
    }
    figure(
      `${WAITERS} waiters, ${handoffs} handoffs, ${releases} releases: wake-up notifications ` +
        `${sum(wakes, (n) => n)}; notifications on the wire in all ${notifications} ` +
        `(${(notifications / releases).toFixed(2)} per release); requests ${requests} ` +
        `(${(requests / handoffs).toFixed(2)} per handoff; by opcode ` +
        `${JSON.stringify(Object.fromEntries(byOpcode))}); ` +
        `chain ${Math.round(elapsed)} ms (${(elapsed / handoffs).toFixed(1)} ms per handoff)`,
    );
  });
});

describe('the lock container reaped between holders', () => {
  it('is re-created by the next acquire: sequence numbers restart, fencing tokens still grow', async () => {
    const [a, b] = [await open(), await open()];
    // Two levels of containers, both made by the lock: /app and /app/lock.
    const first = await new Mutex(a, '/app/lock').acquire();
    const waiting = new Mutex(b, '/app/lock').acquire();
    await until('the second to queue', async () => (await queueOf('/app/lock')).length === 2);
    await first.release();
    const second = await within('the second to acquire', waiting);
    await second.release();
    expect([sequenceOf(nameOf(first)), sequenceOf(nameOf(second))]).toEqual([0, 1]);
    expect((await fixture.observer.exists(`${fixture.root}/app/lock`))?.ephemeralOwner).toBe(0n);

    // The server's reaper (every 200 ms on the test servers) removes the empty containers.
    await until('the server to reap /app', async () => {
      return (await fixture.observer.exists(`${fixture.root}/app`)) === null;
    });

    const third = await new Mutex(a, '/app/lock').acquire();
    expect(sequenceOf(nameOf(third))).toBe(0);
    expect(third.fencingToken).toBeGreaterThan(first.fencingToken);
    expect(third.fencingToken).toBeGreaterThan(second.fencingToken);
    expect(await queueOf('/app/lock')).toEqual([nameOf(third)]);
    await third.release();
    figure(
      `tokens across the reap: ${[first, second, third].map((l) => l.fencingToken).join(' < ')}; ` +
        `sequences ${[first, second, third].map((l) => sequenceOf(nameOf(l))).join(', ')}`,
    );
  });

  it('is re-created when an ancestor is reaped between the steps that re-create the path', async () => {
    // /app: an empty container the server will reap as soon as its last child goes.
    await fixture.observer.create(`${fixture.root}/app`, undefined, { mode: 'container' });
    await fixture.observer.create(`${fixture.root}/app/keep`, 'x');
    const proxy = await fixture.startProxy();
    const zk = await open(proxy);
    // Each chunk waits 300 ms in the proxy: time to catch the exists on /app on its way.
    proxy.delay(300);
    const acquiring = new Mutex(zk, '/app/lock').acquire();
    // The create of our node fails (no /app/lock); then the lock asks whether /app exists: its
    // answer (yes) is held until the server has reaped /app, so the next step finds it gone.
    await until(
      'the exists on /app to reach the server',
      () => (proxy.counts().clientToServer.byOpcode[EXISTS] ?? 0) >= 1,
    );
    proxy.blackhole();
    await fixture.observer.delete(`${fixture.root}/app/keep`);
    await until('the server to reap /app', async () => {
      return (await fixture.observer.exists(`${fixture.root}/app`)) === null;
    });
    proxy.pass();

    const lease = await within('the acquire', acquiring);
    expect(await queueOf('/app/lock')).toEqual([nameOf(lease)]);
    expect((await fixture.observer.exists(`${fixture.root}/app`))?.ephemeralOwner).toBe(0n);
    await lease.release();
  });
});

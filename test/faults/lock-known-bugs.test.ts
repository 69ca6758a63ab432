import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ZooKeeper } from '../../src/index.js';
import { Mutex, Semaphore } from '../../src/recipes/index.js';
import type { Lease } from '../../src/recipes/index.js';
import { FaultProxy, ZooKeeperServer } from '../../src/testing/index.js';
import { childrenOf, everyoneWaits, figure, nameOf } from './lock-helpers.js';
import { StateLog, untilAsync, within } from './session-helpers.js';

// Lock behaviour that contradicts issue 4 or docs/recipes/mutex.md, found by the fault tests and
// kept here, failing, until the code is fixed. Each test asserts what should happen; its comment
// says what does happen instead and where.

const GET_CHILDREN2 = 12;
const SESSION_TIMEOUT = 10_000;

let server: ZooKeeperServer;
let observer: ZooKeeper;
let proxy: FaultProxy;
let root: string;
const clients: ZooKeeper[] = [];

async function open(via: 'proxy' | 'direct'): Promise<{ zk: ZooKeeper; log: StateLog }> {
  const host = via === 'proxy' ? proxy.connectString : server.connectString;
  const zk = await ZooKeeper.connect(`${host}${root}`, { sessionTimeout: SESSION_TIMEOUT });
  clients.push(zk);
  return { zk, log: new StateLog(zk) };
}

function queueOf(lockPath: string): Promise<string[]> {
  return childrenOf(observer, `${root}${lockPath}`);
}

/** The acquire's outcome without an unhandled rejection: the lease, or the error. */
function settle(acquire: Promise<Lease>): Promise<unknown> {
  return acquire.then(
    (lease) => lease,
    (error: unknown) => error,
  );
}

beforeAll(async () => {
  server = await ZooKeeperServer.start({ logLevel: 'warn' });
  observer = await ZooKeeper.connect(server.connectString);
});

afterAll(async () => {
  await observer.close();
  await server.stop();
});

beforeEach(async () => {
  root = `/known-${randomBytes(5).toString('hex')}`;
  await observer.create(root);
  proxy = await FaultProxy.start({ target: server.connectString });
});

afterEach(async () => {
  await Promise.all(clients.splice(0).map((zk) => zk.close()));
  await proxy.stop();
});

// Issue 4: "Acquire rejects with typed errors: LockTimeoutError, the caller's abort reason,
// session loss". The Mutex queue now repeats its reads through connection trouble (readThrough in
// src/recipes/internal/connection-trouble.ts, lock-replies.test.ts checks it), but the Semaphore's
// wait for room does not: Semaphore.waitForRoom (src/recipes/semaphore/semaphore.ts,
// `give.race(this.zk.getChildren(this.leasesPath, { watch: wait }))`) lets a ConnectionLossError
// through, take() deletes the waiter's lease and mutex nodes, and acquire() rejects with it,
// although the session survives: a connection blip costs the waiter its place.
describe('BUG: the Semaphore waiter whose listing of leases/ is lost', () => {
  it('should keep waiting and get the lease; it rejects with ConnectionLossError', async () => {
    const { zk: holderZk } = await open('direct');
    const held = await new Semaphore(holderZk, '/pool', { leases: 1 }).acquire();
    const { zk, log } = await open('proxy');
    // Each chunk waits 300 ms in the proxy: time to arm the drop between the create of the lease
    // node and the listing of leases/ that follows its answer.
    proxy.delay(300);
    const outcome = settle(new Semaphore(zk, '/pool', { leases: 1 }).acquire());
    // Its lease node is made (the answer still held in the proxy): the next listing is that of
    // leases/. (/pool/locks, left empty by the holder, may be reaped and re-created first.)
    await untilAsync('the waiter to create its lease node', async () => {
      return (await childrenOf(observer, `${root}/pool/leases`)).length === 2;
    });
    const dropped = proxy.dropReplyTo(GET_CHILDREN2);
    proxy.pass();
    await dropped;
    await log.waitFor('reconnected');

    await held.release();
    // Now: it has already rejected with ConnectionLossError.
    const lease = await within('the waiter to get the lease', outcome);
    expect(lease).not.toBeInstanceOf(Error);
    expect(await childrenOf(observer, `${root}/pool/leases`)).toEqual([nameOf(lease as Lease)]);
    expect(await childrenOf(observer, `${root}/pool/locks`)).toEqual([]);
  });
});

// Issue 4: "50 waiters: one watch notification per release, counted on the wire by the
// FaultProxy". Each release wakes only its successor (lock-queue.test.ts checks that, per
// waiter), but the releaser's own standing watch on its node (NodeWatch in
// src/recipes/internal/node-watch.ts, set by acquireNode and kept by the Lease; `stop()` only
// stops re-setting it) is still registered on the server when release() deletes the node, so
// the server sends that deletion back to the releaser too: two notifications per release on the
// wire. Removing the watch (removeWatches, opcode 18, pipelined before the delete) or not
// counting it would settle it; what the issue promises is one.
describe('SPEC: one watch notification per release on the wire', () => {
  it('holder and 10 waiters through one proxy: notifications <= releases', async () => {
    const waiters = 10;
    const zks = await Promise.all(Array.from({ length: waiters + 1 }, () => open('proxy')));
    const holder = await new Mutex(zks[0]!.zk, '/lock').acquire();
    const chain = zks.slice(1).map(async ({ zk }) => {
      const lease = await new Mutex(zk, '/lock').acquire();
      await lease.release();
    });
    await untilAsync('all to queue', async () => (await queueOf('/lock')).length === waiters + 1);
    await everyoneWaits(server, observer, `${root}/lock`, waiters + 1);
    proxy.resetCounts();

    await holder.release();
    await within('the chain', Promise.all(chain));
    const releases = waiters + 1;
    const { notifications } = proxy.counts().serverToClient;
    figure(`${waiters} waiters, ${releases} releases: ${notifications} notifications on the wire`);
    // Now: 2 × releases - 1 (one wake per handoff, one echo per release).
    expect(notifications).toBeLessThanOrEqual(releases);
  });
});

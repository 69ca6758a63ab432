import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ZooKeeper } from '../../src/index.js';
import { Mutex } from '../../src/recipes/index.js';
import type { Lease } from '../../src/recipes/index.js';
import { FaultProxy, ZooKeeperServer } from '../../src/testing/index.js';
import { childrenOf, everyoneWaits, figure, nameOf } from './lock-helpers.js';
import { StateLog, until, untilAsync, within } from './session-helpers.js';

// Lock behaviour that contradicts issue 4 or docs/recipes/mutex.md, found by the fault tests and
// kept here, failing, until the code is fixed. Each test asserts what should happen; its comment
// says what does happen instead and where.

const GET_CHILDREN2 = 12;
const EXISTS = 3;
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
// session loss"; docs/recipes/mutex.md lists those and ClientClosedError. A connection that drops
// while the acquire has a read outstanding (the listing of the queue, the exists on the node
// ahead) makes acquireNode (src/recipes/internal/lock-queue.ts, `give.race(zk.getChildren(...))`
// and `give.race(zk.exists(...))`, caught at the end of acquireNode) reject with the
// ConnectionLossError and delete our node, although the session survives and both reads are
// safe to repeat: the caller loses its place in the queue for a blip, e.g. the kill of its
// ensemble member at the wrong moment. Writes already get this right (protected create, release).
describe('BUG: a read of the queue whose reply is lost fails the acquire', () => {
  it('on a free lock, the listing reply lost: the acquire should still get the lock', async () => {
    await observer.create(`${root}/lock`, undefined, { mode: 'container' });
    const { zk, log } = await open('proxy');
    const dropped = proxy.dropReplyTo(GET_CHILDREN2);

    const outcome = await within('the acquire', settle(new Mutex(zk, '/lock').acquire()));
    await dropped;

    // Now: ConnectionLossError, and the node is deleted once the client is back.
    expect(outcome).not.toBeInstanceOf(Error);
    expect(log.states).toEqual(['suspended', 'reconnected']);
    expect((outcome as Lease).held).toBe(true);
    expect(await queueOf('/lock')).toEqual([nameOf(outcome as Lease)]);
  });

  it('behind a holder, the reply to its first read lost: it should keep its place and acquire', async () => {
    const { zk: holderZk } = await open('direct');
    const held = await new Mutex(holderZk, '/lock').acquire();
    const { zk, log } = await open('proxy');
    // The first exists after the create: the read that sets a watch (on our node or the one
    // ahead); its loss closes the connection under the listing too.
    const dropped = proxy.dropReplyTo(EXISTS);
    const outcome = settle(new Mutex(zk, '/lock').acquire());
    await dropped;
    await log.waitFor('reconnected');

    await held.release();
    // Now: it has already rejected with ConnectionLossError.
    const lease = await within('the waiter to acquire', outcome);
    expect(lease).not.toBeInstanceOf(Error);
    expect(await queueOf('/lock')).toEqual([nameOf(lease as Lease)]);
  });
});

// Issue 4: "Parents are created as containers when missing, and their disappearance between
// steps (the server reaps empty containers) is handled by re-creating and retrying." In
// ensureContainers (src/recipes/internal/parents.ts) an ancestor found by `exists` and reaped
// before the `create` of the next level makes that create fail with NoNodeError, which only
// NodeExistsError is caught for; protectedCreate (src/recipes/internal/protected-create.ts, the
// NoNodeError branch) calls ensureContainers without a retry, so acquire() rejects with
// NoNodeError. Made deterministic here by holding the answer to that `exists` in the proxy
// until the server has reaped the ancestor.
describe('BUG: an ancestor container reaped between the steps that re-create the path', () => {
  it('should be re-created and the acquire go on; it rejects with NoNodeError', async () => {
    // /app: an empty container the server is about to reap, once its last child is gone.
    await observer.create(`${root}/app`, undefined, { mode: 'container' });
    await observer.create(`${root}/app/keep`, 'x');
    const { zk } = await open('proxy');
    // Each chunk waits 300 ms in the proxy: enough time to catch the exists on /app in flight.
    proxy.delay(300);
    const outcome = settle(new Mutex(zk, '/app/lock').acquire());
    // The create of our node fails (no /app/lock), then ensureContainers asks whether /app
    // exists: hold its (positive) answer until /app is gone.
    await until(
      'the exists on /app to reach the server',
      () => (proxy.counts().clientToServer.byOpcode[EXISTS] ?? 0) >= 1,
    );
    proxy.blackhole();
    await observer.delete(`${root}/app/keep`);
    await untilAsync('the server to reap /app', async () => {
      return (await observer.exists(`${root}/app`)) === null;
    });
    proxy.pass();

    const lease = await within('the acquire', outcome);
    expect(lease).not.toBeInstanceOf(Error);
    expect(await queueOf('/app/lock')).toEqual([nameOf(lease as Lease)]);
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

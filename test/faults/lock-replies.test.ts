import { describe, expect, it } from 'vitest';
import { LockTimeoutError, Mutex } from '../../src/recipes/index.js';
import { rejectionOf, until, within } from '../support/poll.js';
import { faultFixture } from './fixture.js';
import { childrenOf, nameOf } from './lock-helpers.js';

// A lock client whose write went through but whose reply was lost: the FaultProxy lets the
// request reach the server, drops the reply and closes the connection, so the client sees only a
// ConnectionLossError for a write that did happen. The client comes back on the same session;
// the observer, straight on the server, sees what is really there.
//
// The client reconnects after a pause of up to a second, well within its 10 s session, so nothing
// here loses its session.

const CREATE2 = 15;
const DELETE = 2;
const GET_DATA = 4;
const GET_CHILDREN2 = 12;
const SESSION_TIMEOUT = 10_000;
const PROTECTED_LOCK_NODE =
  /^_c_[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}-lock-\d{10}$/;

const fixture = faultFixture({
  server: { logLevel: 'warn' },
  rootPrefix: 'replies',
  observer: 'file',
  proxy: 'test',
  clientOptions: { sessionTimeout: SESSION_TIMEOUT },
});
const { open } = fixture;

/** The lock's children as the server has them; none once the empty container is reaped. */
async function queueOf(lockPath: string): Promise<string[]> {
  return childrenOf(fixture.observer, `${fixture.root}${lockPath}`);
}

describe('the create of the lock node applied, its reply lost', () => {
  it('on a free lock: the acquire adopts the node it made, owned by its session; no orphan', async () => {
    // The parent exists (an empty container is not reaped until it has had a child), so the one
    // create2 the lock sends is that of its node, and it is the one whose reply is dropped.
    await fixture.observer.create(`${fixture.root}/lock`, undefined, { mode: 'container' });
    const { zk, log } = await open('proxy');
    const dropped = fixture.proxy.dropReplyTo(CREATE2);

    const lease = await within('the acquire', new Mutex(zk, '/lock').acquire());
    const reply = await dropped;

    expect(reply.err).toBe(0);
    // The czxid of the node the lost create made is the zxid of its lost reply: it is that node.
    expect(lease.fencingToken).toBe(reply.zxid);
    expect(nameOf(lease)).toMatch(PROTECTED_LOCK_NODE);
    expect(lease.sessionId).toBe(zk.sessionId);
    const stat = await fixture.observer.exists(`${fixture.root}${lease.path}`);
    expect(stat?.ephemeralOwner).toBe(zk.sessionId);
    expect(stat?.czxid).toBe(reply.zxid);
    // Found again by its protected id, not created a second time.
    expect(fixture.proxy.counts().clientToServer.byOpcode[CREATE2]).toBe(1);
    expect(await queueOf('/lock')).toEqual([nameOf(lease)]);
    // The drop cost a connection, not the session; the hold began after the reconnect.
    expect(log.states).toEqual(['suspended', 'reconnected']);
    expect(lease.held).toBe(true);

    await lease.release();
    expect(await queueOf('/lock')).toEqual([]);
  });

  it('behind a holder: the waiter keeps its place, acquires on the release, leaves nothing', async () => {
    const { zk: holderZk } = await open('direct');
    const held = await new Mutex(holderZk, '/lock').acquire();
    const { zk, log } = await open('proxy');
    const dropped = fixture.proxy.dropReplyTo(CREATE2);
    const positions: number[] = [];

    const waiting = new Mutex(zk, '/lock').acquire({ onPosition: (p) => positions.push(p) });
    const reply = await dropped;
    await until('the waiter to queue', () => positions.length > 0);

    expect(reply.err).toBe(0);
    expect(positions).toEqual([1]);
    const queue = await queueOf('/lock');
    expect(queue).toHaveLength(2);
    expect(queue).toContain(nameOf(held));
    expect(log.states).toEqual(['suspended', 'reconnected']);

    await held.release();
    const lease = await within('the waiter to acquire', waiting);
    expect(lease.fencingToken).toBe(reply.zxid);
    expect(lease.fencingToken).toBeGreaterThan(held.fencingToken);
    expect(nameOf(lease)).toMatch(PROTECTED_LOCK_NODE);
    expect((await fixture.observer.exists(`${fixture.root}${lease.path}`))?.ephemeralOwner).toBe(
      zk.sessionId,
    );
    expect(fixture.proxy.counts().clientToServer.byOpcode[CREATE2]).toBe(1);
    expect(positions).toEqual([1, 0]);
    expect(await queueOf('/lock')).toEqual([nameOf(lease)]);

    await lease.release();
    expect(await queueOf('/lock')).toEqual([]);
  });
  it('by a waiter that times out meanwhile: the node found later is deleted, not left queued', async () => {
    const { zk: holderZk } = await open('direct');
    const held = await new Mutex(holderZk, '/lock').acquire();
    const { zk, log } = await open('proxy');
    const dropped = fixture.proxy.dropReplyTo(CREATE2);

    const timedOut = rejectionOf(new Mutex(zk, '/lock').acquire({ timeout: 300 }));
    const reply = await dropped;
    // The reconnect is held until the waiter has given up, before it could know its node.
    fixture.proxy.blackhole();
    expect(reply.err).toBe(0);
    expect(await queueOf('/lock')).toHaveLength(2);
    expect(await timedOut).toBeInstanceOf(LockTimeoutError);
    expect(zk.state).toBe('suspended');

    // Once back, the client finds the node by its protected id and deletes it.
    fixture.proxy.pass();
    await until('the abandoned node to go', async () => (await queueOf('/lock')).length === 1);
    expect(await queueOf('/lock')).toEqual([nameOf(held)]);
    expect(log.states).toEqual(['suspended', 'reconnected']);
    expect(held.held).toBe(true);
    await held.release();
    expect(await queueOf('/lock')).toEqual([]);
  });
});

// A read that is lost costs a reconnect, not the waiter's place: the acquire repeats it.
describe('a read of the queue whose reply is lost', () => {
  it('on a free lock, the listing: the acquire still gets the lock on the same session', async () => {
    await fixture.observer.create(`${fixture.root}/lock`, undefined, { mode: 'container' });
    const { zk, log } = await open('proxy');
    const dropped = fixture.proxy.dropReplyTo(GET_CHILDREN2);

    const lease = await within('the acquire', new Mutex(zk, '/lock').acquire());
    await dropped;

    expect(log.states).toEqual(['suspended', 'reconnected']);
    expect(lease.held).toBe(true);
    expect(lease.sessionId).toBe(zk.sessionId);
    expect(await queueOf('/lock')).toEqual([nameOf(lease)]);
    expect(fixture.proxy.counts().clientToServer.byOpcode[CREATE2]).toBe(1);
    await lease.release();
    expect(await queueOf('/lock')).toEqual([]);
  });

  it('behind a holder, its first read after the create: it keeps its place and acquires', async () => {
    const { zk: holderZk } = await open('direct');
    const held = await new Mutex(holderZk, '/lock').acquire();
    const { zk, log } = await open('proxy');
    // The first watch set after the create (a getData on our node or on the one ahead): its
    // loss closes the connection under the listing as well.
    const dropped = fixture.proxy.dropReplyTo(GET_DATA);
    const positions: number[] = [];
    const waiting = new Mutex(zk, '/lock').acquire({ onPosition: (p) => positions.push(p) });
    await dropped;
    await log.waitFor('reconnected');
    await until('the waiter to queue', () => positions.length > 0);
    expect(await queueOf('/lock')).toHaveLength(2);

    await held.release();
    const lease = await within('the waiter to acquire', waiting);
    expect(positions).toEqual([1, 0]);
    expect(log.states).toEqual(['suspended', 'reconnected']);
    expect(await queueOf('/lock')).toEqual([nameOf(lease)]);
    await lease.release();
    expect(await queueOf('/lock')).toEqual([]);
  });
});

describe('the delete of a released lock node applied, its reply lost', () => {
  it('release() resolves once the node is gone; the next waiter acquires', async () => {
    const { zk, log } = await open('proxy');
    const lease = await new Mutex(zk, '/lock').acquire();
    const { zk: waiterZk } = await open('direct');
    const positions: number[] = [];
    const waiting = new Mutex(waiterZk, '/lock').acquire({
      onPosition: (p) => positions.push(p),
    });
    await until('the waiter to queue', () => positions.length > 0);
    const dropped = fixture.proxy.dropReplyTo(DELETE);

    await within('the release', lease.release());
    const reply = await dropped;

    expect(reply.err).toBe(0);
    expect(await fixture.observer.exists(`${fixture.root}${lease.path}`)).toBeNull();
    expect(lease.held).toBe(false);
    const next = await within('the waiter to acquire', waiting);
    expect(next.fencingToken).toBeGreaterThan(lease.fencingToken);
    expect(await queueOf('/lock')).toEqual([nameOf(next)]);
    // The retried delete went out on the same session after the reconnect.
    expect(log.states).toEqual(['suspended', 'reconnected']);
    await next.release();
    expect(await queueOf('/lock')).toEqual([]);
  });
});

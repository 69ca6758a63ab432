import { describe, expect, it } from 'vitest';
import { SessionExpiredError } from '../../src/index.js';
import { LeaseLostError, Semaphore } from '../../src/recipes/index.js';
import type { Lease } from '../../src/recipes/index.js';
import { rejectionOf, until, within } from '../support/poll.js';
import { faultFixture } from './fixture.js';
import { childrenOf, nameOf } from './lock-helpers.js';

// A Semaphore (Curator's InterProcessSemaphoreV2 layout: waiters queue on a mutex under `locks/`,
// leases are nodes under `leases/`) whose clients are partitioned past their session timeout:
// once as a lease holder, once as the waiter that holds the internal mutex. The partitioned client
// goes through a FaultProxy; the others and the observer talk to the server directly. Whatever
// happens, the internal mutex must not stay held, or every later waiter would hang behind it.

/** Short, so an expiry takes a few seconds; the server's minimum is 1000 ms. */
/** getChildren2, the opcode of the client's listings. */
const GET_CHILDREN2 = 12;
const SHORT_SESSION = 3000;
const SESSION_TIMEOUT = 10_000;

const fixture = faultFixture({
  server: { logLevel: 'warn' },
  rootPrefix: 'semaphore',
  observer: 'file',
  proxy: 'test',
  clientOptions: { sessionTimeout: SESSION_TIMEOUT },
});

const { open } = fixture;

/** The children of `/pool/<part>` as the server has them; none once the container is reaped. */
function childrenOfPool(part: 'locks' | 'leases'): Promise<string[]> {
  return childrenOf(fixture.observer, `${fixture.root}/pool/${part}`);
}

/** An acquire whose outcome is observable synchronously and never an unhandled rejection. */
function pending(acquire: Promise<Lease>): { acquire: Promise<Lease>; settled: string[] } {
  const settled: string[] = [];
  acquire.then(
    () => settled.push('acquired'),
    () => settled.push('rejected'),
  );
  return { acquire, settled };
}

describe('a lease holder black-holed past its session timeout (2 leases, lostOn lost)', () => {
  it('has its signal aborted before the waiter gets the lease; locks/ ends empty', async () => {
    const events: string[] = [];
    const { zk: directZk } = await open('direct');
    const kept = await new Semaphore(directZk, '/pool', { leases: 2 }).acquire();
    const { zk, log } = await open('proxy', { sessionTimeout: SHORT_SESSION });
    const lost = await new Semaphore(zk, '/pool', { leases: 2, lostOn: 'lost' }).acquire();
    lost.signal.addEventListener('abort', () => events.push('holder signal aborted'));
    const { zk: waiterZk } = await open('direct');
    const waiter = pending(new Semaphore(waiterZk, '/pool', { leases: 2 }).acquire());
    void waiter.acquire.then(() => events.push('waiter acquired'));
    // The waiter holds the internal mutex while it waits for room among the leases.
    await until('the waiter to wait for room', async () => {
      return (
        (await childrenOfPool('leases')).length === 3 &&
        (await childrenOfPool('locks')).length === 1
      );
    });

    await zk.exists('/');
    fixture.proxy.blackhole();
    events.push('cut');
    const next = await within('the waiter to get a lease', waiter.acquire, 6 * SHORT_SESSION);

    expect(events).toEqual(['cut', 'holder signal aborted', 'waiter acquired']);
    // lostOn 'lost': the leader's confirmation lapses before the client's loss timer runs out.
    expect((lost.signal.reason as LeaseLostError).lossCause).toBe('unconfirmed');
    expect(await childrenOfPool('leases')).toEqual([nameOf(kept), nameOf(next)].sort());
    expect(await childrenOfPool('locks')).toEqual([]);
    expect(kept.held).toBe(true);

    fixture.proxy.pass();
    await log.waitFor('connected', 4 * SHORT_SESSION);
    expect(zk.sessionId).not.toBe(lost.sessionId);
    expect(await fixture.observer.exists(`${fixture.root}${lost.path}`)).toBeNull();
    await Promise.all([kept.release(), next.release(), lost.release()]);
    expect(await childrenOfPool('leases')).toEqual([]);
    expect(await childrenOfPool('locks')).toEqual([]);
  });
});

describe('the waiter holding the internal mutex black-holed past its session timeout', () => {
  it('gives the mutex up with its session; the waiter behind it gets the lease; nothing left', async () => {
    const { zk: holderZk } = await open('direct');
    const holder = await new Semaphore(holderZk, '/pool', { leases: 1 }).acquire();
    const { zk, log } = await open('proxy', { sessionTimeout: SHORT_SESSION });
    const cut = pending(new Semaphore(zk, '/pool', { leases: 1 }).acquire());
    await until('the cut waiter to hold the mutex and wait for room', async () => {
      return (
        (await childrenOfPool('leases')).length === 2 &&
        (await childrenOfPool('locks')).length === 1
      );
    });
    const { zk: behindZk } = await open('direct');
    const behind = pending(new Semaphore(behindZk, '/pool', { leases: 1 }).acquire());
    await until('the next waiter to queue on the mutex', async () => {
      return (await childrenOfPool('locks')).length === 2;
    });

    await zk.exists('/');
    fixture.proxy.blackhole();
    // The server expires the cut session: its mutex node and its lease node go with it, and the
    // waiter behind takes the mutex and waits for room, which the holder still takes up.
    expect(await within('the cut waiter to give up', rejectionOf(cut.acquire))).toBeInstanceOf(
      SessionExpiredError,
    );
    expect(log.states).toEqual(['suspended', 'lost']);
    await until('the cut session to expire', async () => {
      return (
        (await childrenOfPool('leases')).length === 2 &&
        (await childrenOfPool('locks')).length === 1
      );
    });
    expect(behind.settled).toEqual([]);
    expect(holder.held).toBe(true);

    await holder.release();
    const lease = await within('the waiter behind to get the lease', behind.acquire);
    expect(await childrenOfPool('leases')).toEqual([nameOf(lease)]);
    expect(await childrenOfPool('locks')).toEqual([]);
    expect(lease.fencingToken).toBeGreaterThan(holder.fencingToken);

    fixture.proxy.pass();
    await log.waitFor('connected', 4 * SHORT_SESSION);
    // Nothing of the cut waiter's came back with its new session.
    expect(await childrenOfPool('leases')).toEqual([nameOf(lease)]);
    expect(await childrenOfPool('locks')).toEqual([]);
    await lease.release();
    expect(await childrenOfPool('leases')).toEqual([]);
  });
});

// A connection blip must not cost a waiter its place: the listing of leases/ is repeated.
describe('the Semaphore waiter whose listing of leases/ is lost', () => {
  it('keeps waiting and gets the lease', async () => {
    const { zk: holderZk } = await open('direct');
    const held = await new Semaphore(holderZk, '/pool', { leases: 1 }).acquire();
    const { zk, log } = await open('proxy');
    // Each chunk waits 300 ms in the proxy: time to arm the drop between the create of the lease
    // node and the listing of leases/ that follows its answer.
    fixture.proxy.delay(300);
    const outcome = new Semaphore(zk, '/pool', { leases: 1 }).acquire().then(
      (lease) => lease,
      (error: unknown) => error,
    );
    // Its lease node is made (the answer still held in the proxy): the next listing is that of
    // leases/. (/pool/locks, left empty by the holder, may be reaped and re-created first.)
    await until('the waiter to create its lease node', async () => {
      return (await childrenOf(fixture.observer, `${fixture.root}/pool/leases`)).length === 2;
    });
    const dropped = fixture.proxy.dropReplyTo(GET_CHILDREN2);
    fixture.proxy.pass();
    await dropped;
    await log.waitFor('reconnected');

    await held.release();
    const lease = await within('the waiter to get the lease', outcome);
    expect(lease).not.toBeInstanceOf(Error);
    expect(await childrenOf(fixture.observer, `${fixture.root}/pool/leases`)).toEqual([
      nameOf(lease as Lease),
    ]);
    expect(await childrenOf(fixture.observer, `${fixture.root}/pool/locks`)).toEqual([]);
  });
});

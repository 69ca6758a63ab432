import { describe, expect, it } from 'vitest';
import { SessionExpiredError } from '../../src/index.js';
import type { ZooKeeper } from '../../src/index.js';
import { Mutex, Semaphore } from '../../src/recipes/index.js';
import { rejectionOf, until, within } from '../support/poll.js';
import { faultFixture } from './fixture.js';
import { childrenOf, nameOf } from './lock-helpers.js';
import { StateLog } from './session-helpers.js';

// A node belongs to the session that made it, and a hold to the node's session: what is owned by
// a session must never be carried over to another one. The client goes through a FaultProxy; the
// observer talks to the server directly and sees what it really holds.

const CREATE2 = 15;
const DELETE = 2;
/** Short, so the client declares its session lost within seconds; the server's minimum is 1000 ms. */
const SHORT_SESSION = 2000;
const SESSION_TIMEOUT = 10_000;

const fixture = faultFixture({
  server: { logLevel: 'warn' },
  rootPrefix: 'owned',
  observer: 'file',
  proxy: 'test',
  passBeforeClose: true,
});

function open(sessionTimeout = SESSION_TIMEOUT): Promise<{ zk: ZooKeeper; log: StateLog }> {
  return fixture.open('proxy', { sessionTimeout });
}

describe('a release after the session was lost, with no server reachable', () => {
  it('settles at once, sending nothing: the node went with the session', async () => {
    const { zk, log } = await open(SHORT_SESSION);
    const lease = await new Mutex(zk, '/lock', { lostOn: 'lost' }).acquire();
    fixture.proxy.blackhole();
    await until('the client to declare its session lost', () => log.states.includes('lost'));
    fixture.proxy.resetCounts();

    // Still cut off: a release that waited for the next session would wait for the outage.
    await within('the release', lease.release(), 5000);

    expect(zk.state).toBe('lost');
    expect(fixture.proxy.mode).toBe('blackhole');
    expect(fixture.proxy.counts().clientToServer.byOpcode[DELETE] ?? 0).toBe(0);
    expect(lease.held).toBe(false);
  });
});

describe('a Semaphore whose internal mutex delete loses its reply, then its session', () => {
  it('rejects with SessionExpiredError, holding nothing on the new session', async () => {
    const { zk, log } = await open(SHORT_SESSION);
    const dropped = fixture.proxy.dropReplyTo(DELETE);
    const acquire = new Semaphore(zk, '/pool', { leases: 2 }).acquire();
    acquire.catch(() => undefined);
    await dropped;
    // The delete's retry cannot get through until the client has given the session up.
    fixture.proxy.blackhole();
    const lostSession = zk.sessionId;
    await until('the client to declare its session lost', () => log.states.includes('lost'));
    fixture.proxy.pass();

    const error = await within('the acquire to settle', rejectionOf(acquire));
    expect(error).toBeInstanceOf(SessionExpiredError);
    await until('a new session', () => zk.state === 'connected');
    expect(zk.sessionId).not.toBe(lostSession);
    // Nothing of the new session's in either folder.
    for (const part of ['locks', 'leases']) {
      const names = await childrenOf(fixture.observer, `${fixture.root}/pool/${part}`);
      const owners = await Promise.all(
        names.map(
          async (name) =>
            (await fixture.observer.exists(`${fixture.root}/pool/${part}/${name}`))?.ephemeralOwner,
        ),
      );
      expect(owners).not.toContain(zk.sessionId);
    }
  });
});

describe('a lost create reply, then a node with our protected id owned by another session', () => {
  it('is not adopted: the acquire holds on a node of its own session', async () => {
    await fixture.observer.create(`${fixture.root}/lock`, undefined, { mode: 'container' });
    const { zk } = await open();
    const dropped = fixture.proxy.dropReplyTo(CREATE2);
    const acquire = new Mutex(zk, '/lock').acquire();
    acquire.catch(() => undefined);
    await dropped;
    // Keep the client away while its node is swapped for another session's under the same name
    // prefix: what a create of our older session left behind looks like.
    fixture.proxy.blackhole();
    const [made] = await childrenOf(fixture.observer, `${fixture.root}/lock`);
    if (made === undefined) throw new Error('the dropped create made no node');
    const prefix = made.slice(0, made.length - 10);
    await fixture.observer.delete(`${fixture.root}/lock/${made}`);
    const foreign = await fixture.observer.create(`${fixture.root}/lock/${prefix}`, undefined, {
      mode: 'ephemeral-sequential',
    });
    fixture.proxy.pass();

    const lease = await within('the acquire', acquire);
    expect(lease.sessionId).toBe(zk.sessionId);
    expect((await fixture.observer.exists(`${fixture.root}${lease.path}`))?.ephemeralOwner).toBe(
      zk.sessionId,
    );
    expect(`${fixture.root}${lease.path}`).not.toBe(foreign.path);
    expect(nameOf(lease).startsWith(prefix)).toBe(false);
    expect(lease.held).toBe(true);
    await lease.release();
  });
});

import { describe, expect, it } from 'vitest';
import { SessionExpiredError } from '../../src/index.js';
import { LeaseLostError, Mutex } from '../../src/recipes/index.js';
import type { Lease, LostOn } from '../../src/recipes/index.js';
import { until, within } from '../support/poll.js';
import { faultFixture } from './fixture.js';
import { childrenOf, figure, nameOf } from './lock-helpers.js';

// A holder whose hold ends without its doing: partitioned past its session timeout, or its node
// deleted by someone else. The holder goes through a FaultProxy; the waiter and the observer talk
// to the server directly, so they see the server's view (expiry, deleted nodes) whatever the
// holder believes. The safety claim checked: the holder's signal aborts before anyone else can
// hold the lock. Only the order of the two is asserted, taken from one sequence counter.

/** Short, so an expiry takes a few seconds; the server's minimum is 1000 ms. */
const SHORT_SESSION = 3000;
const SESSION_TIMEOUT = 10_000;

const fixture = faultFixture({
  server: { logLevel: 'warn' },
  rootPrefix: 'holder',
  observer: 'file',
  proxy: 'test',
  clientOptions: { sessionTimeout: SESSION_TIMEOUT },
});

const { open } = fixture;

async function queueOf(lockPath: string): Promise<string[]> {
  return childrenOf(fixture.observer, `${fixture.root}${lockPath}`);
}

/** Event names in the order they happened: an order, never a duration, is what is asserted. */
class Sequence {
  readonly events: string[] = [];
  readonly at = new Map<string, number>();
  record(event: string): void {
    this.events.push(event);
    this.at.set(event, performance.now());
  }
  gap(from: string, to: string): number {
    return Math.round((this.at.get(to) ?? NaN) - (this.at.get(from) ?? NaN));
  }
}

/**
 * A waiter (direct, long session) queued at `position`; resolves once it waits, with
 * its acquire wrapped (an async function would otherwise wait for the lease itself).
 */
async function queueBehind(
  sequence: Sequence,
  position: number,
): Promise<{ waiting: Promise<Lease> }> {
  const { zk } = await open('direct');
  const positions: number[] = [];
  const waiting = new Mutex(zk, '/lock').acquire({ onPosition: (p) => positions.push(p) });
  void waiting.then(() => {
    sequence.record('waiter acquired');
  });
  await until('the waiter to queue', () => positions.length > 0);
  expect(positions).toEqual([position]);
  return { waiting };
}

function lossCauseOf(lease: Lease): string | undefined {
  const reason: unknown = lease.signal.reason;
  return reason instanceof LeaseLostError ? reason.lossCause : undefined;
}

describe.each<{ lostOn: LostOn; cause: string; states: string[] }>([
  // The leader's confirmation lapses before the client's loss timer runs out.
  { lostOn: 'lost', cause: 'unconfirmed', states: ['suspended', 'lost'] },
  { lostOn: 'suspended', cause: 'suspended', states: ['suspended'] },
])(
  'a holder black-holed past its session timeout (lostOn $lostOn)',
  ({ lostOn, cause, states }) => {
    it('has its signal aborted before the waiter acquires; then gets a new session, its node gone', async () => {
      const sequence = new Sequence();
      const { zk, log } = await open('proxy', { sessionTimeout: SHORT_SESSION });
      expect(zk.sessionTimeout).toBe(SHORT_SESSION);
      const lease = await new Mutex(zk, '/lock', { lostOn }).acquire();
      lease.signal.addEventListener('abort', () => {
        sequence.record('holder signal aborted');
      });
      const { waiting } = await queueBehind(sequence, 1);

      // A request answered just before the cut: the server's session clock and the client's loss
      // timer both start from it (see session-blackhole.test.ts).
      await zk.exists('/');
      fixture.proxy.blackhole();
      sequence.record('cut');
      const next = await within('the waiter to acquire', waiting, 6 * SHORT_SESSION);

      expect(sequence.events).toEqual(['cut', 'holder signal aborted', 'waiter acquired']);
      expect(lossCauseOf(lease)).toBe(cause);
      expect(lease.held).toBe(false);
      expect(log.states.slice(0, states.length)).toEqual(states);
      // Whatever the holder still believes, the server has expired its session: the waiter holds.
      expect(await fixture.observer.exists(`${fixture.root}${lease.path}`)).toBeNull();
      expect(await queueOf('/lock')).toEqual([nameOf(next)]);
      expect(next.held).toBe(true);
      expect(next.fencingToken).toBeGreaterThan(lease.fencingToken);
      // What a holder does on the abort: let go. The delete waits for a session and finds nothing.
      const released = lease.release();

      fixture.proxy.pass();
      await log.waitFor('connected', 4 * SHORT_SESSION);
      expect(log.states).toEqual(['suspended', 'lost', 'connected']);
      expect(zk.sessionId).not.toBe(lease.sessionId);
      await within('the lost lease to release', released);
      expect(await queueOf('/lock')).toEqual([nameOf(next)]);
      expect(next.signal.aborted).toBe(false);
      await next.release();
      expect(await queueOf('/lock')).toEqual([]);
      figure(
        `lostOn ${lostOn}, T=${SHORT_SESSION}: cut -> holder signal ` +
          `${sequence.gap('cut', 'holder signal aborted')} ms; holder signal -> waiter acquired ` +
          `${sequence.gap('holder signal aborted', 'waiter acquired')} ms`,
      );
    });
  },
);

describe("the holder's node deleted by someone else", () => {
  it('aborts the signal (nodeDeleted) and the next waiter acquires', async () => {
    const sequence = new Sequence();
    const { zk, log } = await open('direct');
    const lease = await new Mutex(zk, '/lock').acquire();
    lease.signal.addEventListener('abort', () => {
      sequence.record('holder signal aborted');
    });
    const { waiting } = await queueBehind(sequence, 1);

    await fixture.observer.delete(`${fixture.root}${lease.path}`);
    const next = await within('the waiter to acquire', waiting);
    await until('the holder signal', () => lease.signal.aborted);

    expect(lossCauseOf(lease)).toBe('nodeDeleted');
    expect(lease.held).toBe(false);
    expect(next.fencingToken).toBeGreaterThan(lease.fencingToken);
    expect(await queueOf('/lock')).toEqual([nameOf(next)]);
    // The session itself was never touched.
    expect(log.states).toEqual([]);
    expect(zk.sessionId).toBe(lease.sessionId);
    // Releasing a hold that is already gone is quiet and deletes nobody else's node.
    await lease.release();
    expect(await queueOf('/lock')).toEqual([nameOf(next)]);
    await next.release();
    expect(await queueOf('/lock')).toEqual([]);
  });

  it('while the holder is disconnected (lostOn lost): it learns on reconnect, the waiter acquires', async () => {
    const sequence = new Sequence();
    const { zk, log } = await open('proxy');
    const lease = await new Mutex(zk, '/lock', { lostOn: 'lost' }).acquire();
    const { waiting } = await queueBehind(sequence, 1);

    // The holder's connection drops and its reconnect is held, so the deletion lands while it is
    // away and can reach it only with the watches it re-registers.
    fixture.proxy.reset();
    fixture.proxy.blackhole();
    await log.waitFor('suspended');
    await fixture.observer.delete(`${fixture.root}${lease.path}`);
    const next = await within('the waiter to acquire', waiting);
    // Away and lostOn 'lost': nothing has told it yet.
    expect(lease.signal.aborted).toBe(false);
    fixture.proxy.pass();
    await log.waitFor('reconnected');
    await until('the holder signal', () => lease.signal.aborted);

    expect(lossCauseOf(lease)).toBe('nodeDeleted');
    expect(log.states).toEqual(['suspended', 'reconnected']);
    expect(zk.sessionId).toBe(lease.sessionId);
    expect(await queueOf('/lock')).toEqual([nameOf(next)]);
    await next.release();
    expect(await queueOf('/lock')).toEqual([]);
  });
});

describe('a waiter black-holed past its session timeout while the lock is handed to it', () => {
  it('never acquires (SessionExpiredError); the waiter behind it acquires once it expired', async () => {
    const { zk: holderZk } = await open('direct');
    const held = await new Mutex(holderZk, '/lock').acquire();
    const { zk, log } = await open('proxy', { sessionTimeout: SHORT_SESSION });
    const cutPositions: number[] = [];
    const cut = new Mutex(zk, '/lock').acquire({ onPosition: (p) => cutPositions.push(p) });
    const cutOutcome = cut.then(
      () => 'acquired',
      (error: unknown) => error,
    );
    await until('the cut waiter to queue', () => cutPositions.length > 0);
    const sequence = new Sequence();
    const { waiting } = await queueBehind(sequence, 2);

    await zk.exists('/');
    fixture.proxy.blackhole();
    // The holder lets go while the next in line cannot hear it: the lock waits for the cut
    // session to end, then goes to the waiter behind it.
    await held.release();
    const next = await within('the waiter behind to acquire', waiting, 6 * SHORT_SESSION);

    expect(await within('the cut waiter', cutOutcome)).toBeInstanceOf(SessionExpiredError);
    expect(cutPositions).toEqual([1]);
    expect(log.states.slice(0, 2)).toEqual(['suspended', 'lost']);
    expect(await queueOf('/lock')).toEqual([nameOf(next)]);
    fixture.proxy.pass();
    await log.waitFor('connected', 4 * SHORT_SESSION);
    expect(await queueOf('/lock')).toEqual([nameOf(next)]);
    await next.release();
    expect(await queueOf('/lock')).toEqual([]);
  });
});

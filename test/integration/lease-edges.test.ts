import { afterEach, describe, expect, it } from 'vitest';
import { ClientClosedError, ZooKeeper } from '../../src/index.js';
import { LeaseLostError, Mutex } from '../../src/recipes/index.js';
import type { Lease } from '../../src/recipes/index.js';
import { expireSession } from '../../src/testing/index.js';
import { rejectionOf, until } from '../support/poll.js';
import { clientsClosedAfterEach, OVERFLOW_OPTIONS, overflow, uniqueRoot } from './helpers.js';
import { IN_BACKGROUND } from './recipe-helpers.js';

// A hold at the edges of its session, on the shared server: a stalled event loop, a user's
// 'state' listener that throws, an acquire begun while the session is lost.

const open = clientsClosedAfterEach();

async function rooted(options = {}): Promise<{ zk: ZooKeeper; root: string }> {
  const root = uniqueRoot('lease');
  const admin = await open();
  await admin.create(root);
  return { zk: await open(root, options), root };
}

function lossCauseOf(error: unknown): string | undefined {
  return error instanceof LeaseLostError ? error.lossCause : undefined;
}

/** Blocks the event loop, as a long synchronous computation or a GC pause would. */
function stall(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // busy
  }
}

describe('a lease read after the event loop stalled past the session timeout', () => {
  it('is not held, and assertHeld() throws, before the loss timer had a chance to run', async () => {
    const { zk } = await rooted({ sessionTimeout: 1000 });
    expect(zk.sessionTimeout).toBe(1000);
    const lease = await new Mutex(zk, '/lock', { lostOn: 'lost' }).acquire();
    expect(lease.held).toBe(true);

    // The session's deadline is a session timeout after the send of the last request answered:
    // this one. The stall goes past it; no timer or I/O callback runs until this synchronous
    // code ends.
    await zk.exists('/');
    stall(zk.sessionTimeout + 50);
    const stateAfterStall = zk.state;
    const heldAfterStall = lease.held;
    const thrown = rejectionOf(
      Promise.resolve().then(() => {
        lease.assertHeld();
      }),
    );

    expect(stateAfterStall).toBe('connected');
    expect(heldAfterStall).toBe(false);
    expect(lease.signal.aborted).toBe(true);
    expect(lossCauseOf(lease.signal.reason)).toBe('unconfirmed');
    expect(await thrown).toBe(lease.signal.reason);
  });

  it('assertHeld() after release() throws with lossCause released; the signal stays quiet', async () => {
    const { zk } = await rooted();
    const lease = await new Mutex(zk, '/lock').acquire();
    expect(() => {
      lease.assertHeld();
    }).not.toThrow();
    await lease.release();
    expect(lease.held).toBe(false);
    let thrown: unknown;
    try {
      lease.assertHeld();
    } catch (error) {
      thrown = error;
    }
    expect(lossCauseOf(thrown)).toBe('released');
    expect(lease.signal.aborted).toBe(false);
  });
});

describe("a user's 'state' listener that throws", () => {
  let restore: (() => void) | undefined;
  afterEach(() => {
    restore?.();
    restore = undefined;
  });

  it('silences no lease, with an uncaughtException handler in place (as servers have)', async () => {
    const { zk, root } = await rooted(OVERFLOW_OPTIONS);
    // The handler a server installs to stay up; the test runner's own is put back afterwards.
    const runners = process.listeners('uncaughtException');
    process.removeAllListeners('uncaughtException');
    const uncaught: unknown[] = [];
    const keepRunning = (error: unknown): void => {
      uncaught.push(error);
    };
    process.on('uncaughtException', keepRunning);
    const faulty = new Error('a bug in a user listener');
    // Registered before any lease exists: an emitter stops at the first listener that throws.
    const throwing = (): void => {
      throw faulty;
    };
    zk.on('state', throwing);
    restore = () => {
      zk.off('state', throwing);
      process.off('uncaughtException', keepRunning);
      for (const listener of runners) process.on('uncaughtException', listener);
    };
    const lease = await new Mutex(zk, '/lock').acquire();

    await overflow(zk, root);
    await until('the client to reconnect', () => zk.state === 'reconnected', IN_BACKGROUND);
    await until('an uncaught error', () => uncaught.length > 0, IN_BACKGROUND);

    expect(lease.signal.aborted).toBe(true);
    expect(lossCauseOf(lease.signal.reason)).toBe('suspended');
    expect(uncaught[0]).toBe(faulty);
  });
});

describe('an acquire begun while the session is lost', () => {
  it('waits for the new session and holds on it, with no spurious SessionExpiredError', async () => {
    const { zk } = await rooted();
    const mutex = new Mutex(zk, '/lock');
    const oldSession = zk.sessionId;
    let acquiring: Promise<Lease> | undefined;
    zk.on('state', (state) => {
      if (state === 'lost') acquiring ??= mutex.acquire({ timeout: 20_000 });
    });

    await expireSession(zk);
    await until(
      'the acquire to start on a connected client',
      () => acquiring !== undefined && zk.state === 'connected',
      IN_BACKGROUND,
    );
    if (acquiring === undefined) throw new Error('unreachable: no acquire began');
    const lease = await acquiring;

    expect(zk.sessionId).not.toBe(oldSession);
    expect(lease.sessionId).toBe(zk.sessionId);
    expect(lease.held).toBe(true);
    const participants = await mutex.participants();
    expect(participants.map((p) => [p.path, p.stat.ephemeralOwner])).toEqual([
      [lease.path, zk.sessionId],
    ]);
    await lease.release();
  });
});

describe('zk.close() with a lease held and an acquire waiting', () => {
  it('ends both as close() begins, before closeSession can leave', async () => {
    const { zk } = await rooted();
    const mutex = new Mutex(zk, '/lock');
    const lease = await mutex.acquire();
    let waitEnded = false;
    const waiting = rejectionOf(mutex.acquire()).finally(() => {
      waitEnded = true;
    });

    // What holds something lets go before closeSession is written.
    const writesBefore = zk.stats.socketWrites;
    let writesWhenTold: number | undefined;
    zk.observeState(() => {
      writesWhenTold ??= zk.stats.socketWrites;
    });
    const closing = zk.close();
    // The signal first: reading `held` would itself abort it.
    const abortedAsCloseBegins = lease.signal.aborted;
    const heldAsCloseBegins = lease.held;
    // closeSession leaves at the end of this I/O pass at the earliest, so it cannot have been
    // answered yet: the wait ended on close()'s notice, not on what the server did.
    await new Promise((resolve) => setImmediate(resolve));
    const waitEndedBeforeAnswer = waitEnded;
    await closing;

    expect(heldAsCloseBegins).toBe(false);
    expect(abortedAsCloseBegins).toBe(true);
    expect(lossCauseOf(lease.signal.reason)).toBe('closed');
    expect(waitEndedBeforeAnswer).toBe(true);
    expect(writesWhenTold).toBe(writesBefore);
    expect(await waiting).toBeInstanceOf(ClientClosedError);
  });
});

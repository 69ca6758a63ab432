import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import {
  ConnectionLossError,
  RequestTimeoutError,
  SessionExpiredError,
  ZooKeeper,
} from '../../src/index.js';
import type { ZooKeeperOptions } from '../../src/index.js';
import { rejectionOf, until, within } from '../support/poll.js';
import { faultFixture } from './fixture.js';
import { iterateStates, StateLog, track } from './session-helpers.js';

// Partitions between one client and a standalone server, made with a FaultProxy in front of the
// server: the client goes through the proxy, an observer talks to the server directly and so sees
// what the server does (expiry, ephemerals) whatever the client believes.
//
// Before each cut the client makes one request and the proxy is switched to blackhole() as soon as
// the answer is in: the server's session clock then restarts at that request, so the time left
// before the server may expire the session is the whole timeout, not the timeout minus the time
// since the last ping, and the client's timers (read timeout, loss) start from the same moment.
//
// Sessions that must survive a cut are 9 s long. With one host in the connect string every
// reconnect attempt is a new round over the hosts, so the client pauses 1-2 s (1 s per round plus
// 0-1 s of jitter) before it: the reconnect lands up to 2T/3 + 2 s after the last contact, and
// only T/3 > 2 s leaves it a margin before the loss timer at T (measured: T = 6 s left 80 ms).

const CREATE2 = 15;
/** Long enough for a single-host reconnect after the read timeout (see above). */
const SURVIVABLE_T = 9000;

const fixture = faultFixture({ rootPrefix: 'blackhole', observer: 'test', proxy: 'test' });

function open(options: ZooKeeperOptions): Promise<{ zk: ZooKeeper; log: StateLog }> {
  return fixture.open('proxy', options);
}

/** A request answered just now, then the cut: returns when it was sent and when answered. */
async function cutAfterFreshAnswer(zk: ZooKeeper): Promise<{ sentAt: number; answeredAt: number }> {
  const sentAt = performance.now();
  await zk.exists('/');
  const answeredAt = performance.now();
  fixture.proxy.blackhole();
  return { sentAt, answeredAt };
}

/** What a `states()` change and a StateLog record both carry. */
interface StateFields {
  readonly state: string;
  readonly previous: string;
  readonly sessionId: bigint;
  readonly cause?: string | undefined;
}

function figure(text: string): void {
  console.info(`[session figures] ${text}`);
}

describe('a black-hole shorter than the session timeout', () => {
  it('suspends, then resumes the same session: no lost, the ephemeral stays', async () => {
    const { zk, log } = await open({ sessionTimeout: SURVIVABLE_T });
    await zk.create('/eph', 'mine', { mode: 'ephemeral' });
    const sessionId = zk.sessionId;
    const timeout = zk.sessionTimeout;
    expect(timeout).toBe(SURVIVABLE_T);

    const { answeredAt } = await cutAfterFreshAnswer(zk);
    const suspended = await log.waitFor('suspended', timeout);
    // The partition lasts a little past the read timeout (2T/3 = 6 s); a reconnect attempt made
    // meanwhile is held by the black-hole and answered on pass().
    await sleep(300);
    fixture.proxy.pass();
    const reconnected = await log.waitFor('reconnected', timeout);

    expect(log.states).toEqual(['suspended', 'reconnected']);
    expect(reconnected.sessionId).toBe(sessionId);
    expect(zk.sessionId).toBe(sessionId);
    expect((await fixture.observer.exists(`${fixture.root}/eph`))?.ephemeralOwner).toBe(sessionId);
    expect((await zk.getData('/eph')).data.toString()).toBe('mine');
    expect(log.states).toEqual(['suspended', 'reconnected']);
    figure(
      `T=${timeout}: last contact -> suspended ${Math.round(suspended.at - answeredAt)} ms ` +
        `(read timeout ${Math.round((timeout * 2) / 3)}); last contact -> reconnected ` +
        `${Math.round(reconnected.at - answeredAt)} ms`,
    );
  });
});

describe('a black-hole longer than the session timeout', () => {
  it('reports lost (timeout) before the server expiry is visible, then opens a new session', async () => {
    const { zk, log } = await open({ sessionTimeout: 4000 });
    await zk.create('/eph', 'mine', { mode: 'ephemeral' });
    const oldSession = zk.sessionId;
    const timeout = zk.sessionTimeout;
    expect(timeout).toBe(4000);
    const deleted = track(
      (await fixture.observer.exists(`${fixture.root}/eph`, { watch: true })).watch,
    );
    const iterated = iterateStates(zk, 'connected');

    const { sentAt, answeredAt } = await cutAfterFreshAnswer(zk);
    // Written into the black-hole: on the wire when the client gives the connection up.
    const inFlight = rejectionOf(zk.create('/in-flight', 'x'));
    const suspended = await log.waitFor('suspended', timeout);
    // Made while suspended: queued in the client, waiting for a connection.
    const queued = rejectionOf(zk.create('/queued', 'x'));
    const lost = await log.waitFor('lost', 2 * timeout);
    // Made after lost: waits for the next session.
    const afterLost = zk.create('/after-lost', 'x', { mode: 'ephemeral' });

    expect(lost).toMatchObject({ cause: 'timeout', sessionId: oldSession, previous: 'suspended' });
    expect(await inFlight).toBeInstanceOf(ConnectionLossError);
    expect(await queued).toBeInstanceOf(SessionExpiredError);
    // The server's expiry, as the observer sees it: the ephemeral deleted.
    expect(await within('the server to expire the session', deleted.promise, 4 * timeout)).toEqual({
      type: 'nodeDeleted',
      path: `${fixture.root}/eph`,
    });
    // The safety claim: the client stopped trusting the session before anyone could see it gone.
    expect(lost.at).toBeLessThan(deleted.settledAt!);
    expect(await fixture.observer.exists(`${fixture.root}/eph`)).toBeNull();

    fixture.proxy.pass();
    const connected = await log.waitFor('connected', 4 * timeout);
    expect(connected.sessionId).not.toBe(oldSession);
    expect(connected.sessionId).toBe(zk.sessionId);
    expect((await afterLost).path).toBe('/after-lost');
    expect((await fixture.observer.exists(`${fixture.root}/after-lost`))?.ephemeralOwner).toBe(
      zk.sessionId,
    );
    // Nothing from the old session was replayed on the new one.
    await zk.sync('/');
    expect(await fixture.observer.exists(`${fixture.root}/queued`)).toBeNull();
    expect(await fixture.observer.exists(`${fixture.root}/in-flight`)).toBeNull();
    expect(log.states).toEqual(['suspended', 'lost', 'connected']);
    // The async iterator tells the same story as the listener.
    const fields = (c: StateFields): unknown[] => [c.state, c.previous, c.sessionId, c.cause];
    expect((await within('states()', iterated)).map(fields)).toEqual(log.records.map(fields));
    figure(
      `T=${timeout}: last contact -> suspended ${Math.round(suspended.at - answeredAt)} ms ` +
        `(read timeout ${Math.round((timeout * 2) / 3)}); last answered request sent -> lost ` +
        `${Math.round(lost.at - sentAt)} ms; lost -> observer's nodeDeleted ` +
        `${Math.round(deleted.settledAt! - lost.at)} ms`,
    );
  });
});

describe('requests made during a black-hole shorter than the session timeout', () => {
  it('fails what was on the wire, queues what comes while suspended and sends it once', async () => {
    const { zk, log } = await open({ sessionTimeout: SURVIVABLE_T });
    await zk.create('/n', 'v0');
    const sessionId = zk.sessionId;
    await cutAfterFreshAnswer(zk);
    const onWire = rejectionOf(zk.getData('/n'));
    await log.waitFor('suspended', zk.sessionTimeout);
    expect(await onWire).toBeInstanceOf(ConnectionLossError);

    fixture.proxy.resetCounts();
    const queued = Promise.all([
      zk.create('/q', 'x'),
      zk.setData('/n', 'v1'),
      zk.getData('/n'),
      zk.exists('/q'),
    ]);
    // Still suspended: the black-hole holds any reconnect attempt.
    await sleep(300);
    expect(zk.state).toBe('suspended');
    fixture.proxy.pass();
    const [created, stat, read, exists] = await within('the queued requests', queued);

    // Sent in the order they were made, on the resumed session.
    expect(created.path).toBe('/q');
    expect(stat.version).toBe(1);
    expect(read.data.toString()).toBe('v1');
    expect(exists?.czxid).toBe(created.stat.czxid);
    expect(fixture.proxy.counts().clientToServer.byOpcode[CREATE2]).toBe(1);
    expect(log.states).toEqual(['suspended', 'reconnected']);
    expect(zk.sessionId).toBe(sessionId);
  });

  it('times requests out with RequestTimeoutError; their late answers harm nothing', async () => {
    const { zk, log } = await open({ sessionTimeout: 6000, requestTimeout: 800 });
    await zk.create('/n', 'v0');
    const sessionId = zk.sessionId;
    await cutAfterFreshAnswer(zk);
    // Well within the 4 s read timeout: the connection stays up, the requests wait on the wire.
    const late = [
      rejectionOf(zk.getData('/n')),
      rejectionOf(zk.create('/late', 'x')),
      rejectionOf(zk.setData('/n', 'v1')),
    ];
    for (const error of await Promise.all(late)) {
      expect(error).toBeInstanceOf(RequestTimeoutError);
    }
    expect(zk.state).toBe('connected');

    // The held requests now reach the server and their answers come back to nobody: a timed-out
    // write's outcome is unknown, and here it does happen.
    fixture.proxy.pass();
    await until(
      'the late create to be applied',
      async () => (await fixture.observer.exists(`${fixture.root}/late`)) !== null,
    );
    // The late replies are matched and dropped; the next requests work on the same connection.
    expect((await zk.getData('/n')).data.toString()).toBe('v1');
    expect((await zk.create('/next', 'y')).path).toBe('/next');
    expect(log.states).toEqual([]);
    expect(zk.sessionId).toBe(sessionId);
  });

  it('times out a request queued while suspended and never sends it', async () => {
    // Suspended after 6 s, the queued request times out within 0.7 s, and the reconnect (held
    // until pass() if it comes earlier) lands before the loss timer at 9 s.
    const { zk, log } = await open({ sessionTimeout: SURVIVABLE_T, requestTimeout: 500 });
    const sessionId = zk.sessionId;
    await cutAfterFreshAnswer(zk);
    await log.waitFor('suspended', zk.sessionTimeout);
    const queued = rejectionOf(zk.create('/never', 'x'));
    expect(await queued).toBeInstanceOf(RequestTimeoutError);

    fixture.proxy.resetCounts();
    fixture.proxy.pass();
    await log.waitFor('reconnected', zk.sessionTimeout);
    await zk.sync('/');
    expect(await fixture.observer.exists(`${fixture.root}/never`)).toBeNull();
    expect(fixture.proxy.counts().clientToServer.byOpcode[CREATE2]).toBeUndefined();
    expect(log.states).toEqual(['suspended', 'reconnected']);
    expect(zk.sessionId).toBe(sessionId);
  });
});

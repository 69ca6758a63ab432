import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { ConnectionLossError, SessionExpiredError, ZooKeeper } from '../../src/index.js';
import type { ZooKeeperOptions } from '../../src/index.js';
import { expireSession } from '../../src/testing/index.js';
import { rejectionOf, within } from '../support/poll.js';
import { faultFixture } from './fixture.js';
import { StateLog, track } from './session-helpers.js';

// The server ends the session while the client is connected (expireSession, a real expiry done
// at once): the client learns it on its next reconnect, reports `lost` with cause 'expired', and
// fails what was waiting. The client's own loss timer cannot be the first to notice here: its
// sessions are long (10 s) and the whole story takes well under one.
//
// The client goes through a FaultProxy so a request can be caught on the wire at the moment of
// the expiry; expireSession talks to the server directly, around the proxy.
//
// The last test is the other way round: the server keeps the session, but answers so late that
// the client's loss timer fires on a live connection, with requests outstanding.

const SESSION_TIMEOUT = 10_000;
const CLOSE_SESSION = -11;

const fixture = faultFixture({
  rootPrefix: 'expiry',
  observer: 'test',
  proxy: 'test',
  clientOptions: { sessionTimeout: SESSION_TIMEOUT },
});

function open(options: ZooKeeperOptions = {}): Promise<{ zk: ZooKeeper; log: StateLog }> {
  return fixture.open('proxy', options);
}

describe('a session expired by the server while the client is connected', () => {
  it('newSessionOnLoss: false: lost (expired), waiting requests fail, later calls too', async () => {
    const { zk, log } = await open({ newSessionOnLoss: false });
    await zk.create('/eph', 'mine', { mode: 'ephemeral' });
    await zk.create('/n', 'v0');
    const sessionId = zk.sessionId;
    const watch = track((await zk.getData('/n', { watch: true })).watch);
    const deleted = track(
      (await fixture.observer.exists(`${fixture.root}/eph`, { watch: true })).watch,
    );

    // A write caught on the wire: the proxy holds it while the server ends the session.
    fixture.proxy.blackhole();
    const onWire = rejectionOf(zk.setData('/n', 'from the expired session'));
    await expireSession(zk, { server: fixture.server.connectString });
    expect(await within('the ephemeral to go', deleted.promise)).toMatchObject({
      type: 'nodeDeleted',
    });
    // Made while suspended, before the reconnect that learns of the expiry (it first pauses).
    let queued: Promise<unknown> | undefined;
    zk.on('state', (state) => {
      if (state === 'suspended') queued ??= rejectionOf(zk.getData('/n'));
    });
    fixture.proxy.pass();
    const lost = await log.waitFor('lost', SESSION_TIMEOUT);

    expect(lost).toMatchObject({ cause: 'expired', sessionId, previous: 'suspended' });
    expect(log.states).toEqual(['suspended', 'lost']);
    // The connection dropped under the write: outcome unknown, as for any connection loss.
    expect(await onWire).toBeInstanceOf(ConnectionLossError);
    expect(queued).toBeDefined();
    expect(await queued).toBeInstanceOf(SessionExpiredError);
    expect(await watch.promise).toEqual({
      type: 'watchLost',
      path: '/n',
      reason: 'sessionExpired',
    });
    // The server never took the held write from the dead session.
    expect((await fixture.observer.getData(`${fixture.root}/n`)).data.toString()).toBe('v0');

    // Stays lost: every call fails at once, nothing is sent.
    fixture.proxy.resetCounts();
    expect(await rejectionOf(zk.getData('/n'))).toBeInstanceOf(SessionExpiredError);
    expect(await rejectionOf(zk.create('/x', 'y'))).toBeInstanceOf(SessionExpiredError);
    expect(await rejectionOf(zk.sync('/'))).toBeInstanceOf(SessionExpiredError);
    expect(fixture.proxy.counts().clientToServer.frames).toBe(0);
    expect(zk.state).toBe('lost');
    expect(zk.sessionId).toBe(0n);
    await zk.close();
    expect(log.states).toEqual(['suspended', 'lost', 'closed']);
  });

  it('by default: queued requests are not replayed on the new session; later ones go there', async () => {
    const { zk, log } = await open();
    const oldSession = zk.sessionId;
    const watch = track((await zk.exists('/anything', { watch: true })).watch);
    let queued: Promise<unknown> | undefined;
    let afterLost: Promise<unknown> | undefined;
    zk.on('state', (state) => {
      // Synchronously in the listener: before any reconnect or new session can be opened.
      if (state === 'suspended') queued ??= rejectionOf(zk.create('/queued', 'x'));
      if (state === 'lost') {
        afterLost ??= zk.create('/after-lost', 'x', { mode: 'ephemeral' });
      }
    });

    await expireSession(zk);
    const connected = await log.waitFor('connected', SESSION_TIMEOUT);

    expect(log.states).toEqual(['suspended', 'lost', 'connected']);
    expect(log.records[1]).toMatchObject({ cause: 'expired', sessionId: oldSession });
    expect(connected.sessionId).not.toBe(oldSession);
    expect(await queued).toBeInstanceOf(SessionExpiredError);
    expect(await watch.promise).toMatchObject({ type: 'watchLost', reason: 'sessionExpired' });
    expect(await afterLost).toMatchObject({ path: '/after-lost' });
    expect((await fixture.observer.exists(`${fixture.root}/after-lost`))?.ephemeralOwner).toBe(
      zk.sessionId,
    );
    await zk.sync('/');
    expect(await fixture.observer.exists(`${fixture.root}/queued`)).toBeNull();
  });
});

describe('a server that answers later than the session timeout', () => {
  it('loses the session on a live connection: outstanding requests fail, the old session is closed', async () => {
    // T = 3 s; the proxy's delay grows in small steps (so the 2 s read timeout never fires) until
    // a round trip (2 x delay) exceeds T: nothing sent in the last T has been answered. The loss
    // timer alone: with the leader's confirmation the client would leave the slow server first.
    const { zk, log } = await open({ sessionTimeout: 3000, leaderConfirmation: false });
    await zk.create('/eph', 'mine', { mode: 'ephemeral' });
    const oldSession = zk.sessionId;
    interface Outcome {
      issuedAt: number;
      result: 'pending' | 'ok' | Error;
    }
    const outcomes: Outcome[] = [];
    const lostAt = (): number | undefined => log.records.find((r) => r.state === 'lost')?.at;
    // Until a little after lost, so that some creates are made while the session is lost (and
    // at most 1000, should lost never come).
    const stream = (async () => {
      while (performance.now() < (lostAt() ?? Infinity) + 300 && outcomes.length < 1000) {
        const outcome: Outcome = { issuedAt: performance.now(), result: 'pending' };
        outcomes.push(outcome);
        zk.create('/w-', String(outcomes.length - 1), { mode: 'persistent-sequential' }).then(
          () => (outcome.result = 'ok'),
          (error: unknown) => (outcome.result = error as Error),
        );
        await sleep(50);
      }
    })();
    for (let delay = 100; delay <= 2000 && zk.state === 'connected'; delay += 100) {
      fixture.proxy.delay(delay);
      await sleep(200);
    }
    const lost = await log.waitFor('lost', SESSION_TIMEOUT);
    // Healed at once: the old session is still alive on the server (its requests keep arriving),
    // so the client can resume it just to close it.
    fixture.proxy.pass();
    const connected = await log.waitFor('connected', SESSION_TIMEOUT);
    await within('the stream of creates', stream);
    await within('every create to settle', settledAll(outcomes));

    expect(lost).toMatchObject({ cause: 'timeout', previous: 'connected', sessionId: oldSession });
    expect(log.states).toEqual(['lost', 'connected']);
    expect(connected.sessionId).not.toBe(oldSession);
    // Closed by the client's closeSession before the new session was opened, not at expiry.
    expect(fixture.proxy.counts().clientToServer.byOpcode[CLOSE_SESSION]).toBe(1);
    expect(await fixture.observer.exists(`${fixture.root}/eph`)).toBeNull();

    const before = outcomes.filter((o) => o.issuedAt < lost.at);
    const after = outcomes.filter((o) => o.issuedAt >= lost.at);
    const outstanding = before.filter((o) => o.result !== 'ok');
    expect(outstanding.length).toBeGreaterThan(0);
    for (const o of outstanding) expect(o.result).toBeInstanceOf(SessionExpiredError);
    // Made after lost: sent on the new session.
    expect(after.length).toBeGreaterThan(0);
    for (const o of after) expect(o.result).toBe('ok');

    const { children } = await fixture.observer.getChildren(fixture.root);
    const ids = await Promise.all(
      children.map(async (c) =>
        Number((await fixture.observer.getData(`${fixture.root}/${c}`)).data.toString()),
      ),
    );
    // Outstanding writes may have been applied (outcome unknown), but none twice.
    expect(new Set(ids).size).toBe(ids.length);
    outcomes.forEach((o, id) => {
      if (o.result === 'ok') expect(ids).toContain(id);
    });
    const applied = outstanding.filter((o) => ids.includes(outcomes.indexOf(o))).length;
    const lastAcked = Math.max(...before.filter((o) => o.result === 'ok').map((o) => o.issuedAt));
    console.info(
      `[session figures] lagging server, T=${zk.sessionTimeout}: last answered request sent -> ` +
        `lost ${Math.round(lost.at - lastAcked)} ms; ${outstanding.length} outstanding creates ` +
        `failed with SessionExpiredError, ${applied} of them applied`,
    );
  });
});

async function settledAll(outcomes: readonly { result: unknown }[]): Promise<void> {
  while (outcomes.some((o) => o.result === 'pending')) await sleep(20);
}

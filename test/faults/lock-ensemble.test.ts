import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { NoNodeError, ZooKeeper } from '../../src/index.js';
import { Mutex } from '../../src/recipes/index.js';
import type { Lease } from '../../src/recipes/index.js';
import { FaultProxy, ZooKeeperEnsemble } from '../../src/testing/index.js';
import type { EnsembleMember } from '../../src/testing/index.js';
import { bringBackStopped } from '../support/ensemble.js';
import { until, within } from '../support/poll.js';
import { figure, nameOf } from './lock-helpers.js';
import { StateLog, sum } from './session-helpers.js';

// kill -9 of the ensemble member a lock client is connected to. The client resumes its session on
// a survivor well within the session timeout, so with lostOn 'lost' the hold goes on: the
// signal stays quiet, the node stays, and nobody else acquires meanwhile. Also a create whose
// reply is lost on one member and looked for from another. One real 3-member ensemble for the
// file; afterEach restarts whatever a test killed.

const CREATE2 = 15;

/** Long enough for a reconnect to another member (and an election) to fit in one session. */
const SESSION_TIMEOUT = 8000;

let ensemble: ZooKeeperEnsemble;
let root: string;
const clients: ZooKeeper[] = [];
const proxies: FaultProxy[] = [];

async function open(connectString: string): Promise<{ zk: ZooKeeper; log: StateLog }> {
  const zk = await ZooKeeper.connect(`${connectString}${root}`, {
    sessionTimeout: SESSION_TIMEOUT,
  });
  clients.push(zk);
  return { zk, log: new StateLog(zk) };
}

function memberOf(zk: ZooKeeper): EnsembleMember {
  const member = ensemble.members.find((m) => m.port === zk.connectedServer?.port);
  if (member === undefined) throw new Error('the client is not connected to a member');
  return member;
}

/** The lock's children, read after a sync so a follower has what was committed; none once reaped. */
async function queueOf(zk: ZooKeeper, lockPath: string): Promise<string[]> {
  try {
    await zk.sync(lockPath);
    return (await zk.getChildren(lockPath)).children;
  } catch (error) {
    if (error instanceof NoNodeError) return [];
    throw error;
  }
}

/** A waiter's acquire, with whether it has resolved observable synchronously. */
function track(waiting: Promise<Lease>): { waiting: Promise<Lease>; acquired: () => boolean } {
  let acquired = false;
  // The test awaits `waiting` itself; a rejection here must not also count as unhandled.
  waiting.then(
    () => {
      acquired = true;
    },
    () => undefined,
  );
  return { waiting, acquired: () => acquired };
}

/**
 * Until `member` holds a watch on `path` (four-letter word `wchp`): a waiter reports its place
 * before it sends the exists that sets its watch, and a kill must not land on that request.
 */
async function watched(member: EnsembleMember, path: string): Promise<void> {
  await until(`a watch on ${path} at member ${member.id}`, async () =>
    (await member.fourLetterWord('wchp', { timeoutMs: 1000 })).includes(path),
  );
}

beforeAll(async () => {
  ensemble = await ZooKeeperEnsemble.start({ size: 3, logLevel: 'warn' });
});

afterAll(async () => {
  await ensemble.stop();
});

beforeEach(async () => {
  root = `/ensemble-lock-${randomBytes(5).toString('hex')}`;
  const admin = await ZooKeeper.connect(ensemble.connectString());
  await admin.create(root);
  await admin.close();
});

afterEach(async () => {
  await Promise.all(clients.splice(0).map((zk) => zk.close()));
  await Promise.all(proxies.splice(0).map((p) => p.stop()));
  await bringBackStopped(ensemble);
});

describe('kill -9 of the member the holder is connected to (lostOn lost)', () => {
  it('keeps the hold through the reconnect: signal quiet, node kept, the waiter still waits', async () => {
    const { zk, log } = await open(ensemble.connectString());
    const lease = await new Mutex(zk, '/lock', { lostOn: 'lost' }).acquire();
    const victim = memberOf(zk);
    const role = await victim.mode();
    const other = ensemble.members.find((m) => m !== victim)!;
    const { zk: waiterZk } = await open(other.connectString);
    const positions: number[] = [];
    const waiter = track(
      new Mutex(waiterZk, '/lock').acquire({ onPosition: (p) => positions.push(p) }),
    );
    await until('the waiter to queue', () => positions.length > 0);
    await watched(other, `${root}${lease.path}`);

    const killedAt = performance.now();
    await victim.kill();
    const reconnected = await log.waitFor('reconnected', SESSION_TIMEOUT);

    expect(log.states).toEqual(['suspended', 'reconnected']);
    expect(reconnected.sessionId).toBe(lease.sessionId);
    expect(memberOf(zk)).not.toBe(victim);
    expect(lease.signal.aborted).toBe(false);
    expect(lease.held).toBe(true);
    expect(await queueOf(waiterZk, '/lock')).toHaveLength(2);
    expect((await waiterZk.exists(lease.path))?.ephemeralOwner).toBe(lease.sessionId);
    expect(waiter.acquired()).toBe(false);
    expect(positions).toEqual([1]);
    // The hold is live on the server too: a write guarded by our node commits.
    await lease.transaction().create('/guarded', 'after the crash').commit();

    await lease.release();
    const next = await within('the waiter to acquire', waiter.waiting);
    expect(positions).toEqual([1, 0]);
    expect(next.fencingToken).toBeGreaterThan(lease.fencingToken);
    await next.release();
    figure(
      `kill -9 of the holder's member (${role}) -> reconnected ` +
        `${Math.round(reconnected.at - killedAt)} ms (T=${SESSION_TIMEOUT})`,
    );
  });
});

describe('kill -9 of the member a waiter is connected to', () => {
  it('keeps its place in the queue and acquires when the holder releases', async () => {
    const { zk: waiterZk, log } = await open(ensemble.connectString());
    const victim = memberOf(waiterZk);
    const others = ensemble.members.filter((m) => m !== victim);
    // lostOn 'lost': a leader's death drops the clients of every follower too, the holder's
    // among them, and that alone is no reason to give up its hold.
    const { zk: holderZk } = await open(ensemble.connectString(others.map((m) => m.id)));
    const lease = await new Mutex(holderZk, '/lock', { lostOn: 'lost' }).acquire();
    const positions: number[] = [];
    const waiter = track(
      new Mutex(waiterZk, '/lock').acquire({ onPosition: (p) => positions.push(p) }),
    );
    await until('the waiter to queue', () => positions.length > 0);
    await watched(victim, `${root}${lease.path}`);

    await victim.kill();
    await log.waitFor('reconnected', SESSION_TIMEOUT);
    // Its watch on the holder's node came along with the session: nothing woke it meanwhile.
    expect(log.states).toEqual(['suspended', 'reconnected']);
    expect(waiter.acquired()).toBe(false);
    expect(positions).toEqual([1]);
    expect(lease.held).toBe(true);

    await lease.release();
    const next = await within('the waiter to acquire', waiter.waiting);
    expect(positions).toEqual([1, 0]);
    expect(next.sessionId).toBe(waiterZk.sessionId);
    await next.release();
    expect(await queueOf(holderZk, '/lock')).toEqual([]);
  });
});

describe('the create of the lock node applied through one member, its reply lost', () => {
  it('is found from another member (after a sync) and adopted: one node, ours', async () => {
    const via = await Promise.all(
      ensemble.members.map((m) => FaultProxy.start({ target: m.connectString })),
    );
    proxies.push(...via);
    const { zk, log } = await open(via.map((p) => p.connectString).join(','));
    // The parent first, so the one create2 of the acquire is that of our node.
    await zk.create('/lock', undefined, { mode: 'container' });
    const first = via.find((p) => p.port === zk.connectedServer?.port)!;
    const dropped = first.dropReplyTo(CREATE2);

    const acquiring = new Mutex(zk, '/lock').acquire();
    const reply = await dropped;
    // That member's way is shut: the client comes back through another one, which may not have
    // applied the create yet when it is asked.
    await first.stop();
    const lease = await within('the acquire', acquiring);

    expect(reply.err).toBe(0);
    expect(lease.fencingToken).toBe(reply.zxid);
    expect(zk.connectedServer?.port).not.toBe(first.port);
    expect(log.states).toEqual(['suspended', 'reconnected']);
    expect(sum(via, (p) => p.counts().clientToServer.byOpcode[CREATE2] ?? 0)).toBe(1);
    expect(await queueOf(zk, '/lock')).toEqual([nameOf(lease)]);
    await lease.release();
    expect(await queueOf(zk, '/lock')).toEqual([]);
  });
});

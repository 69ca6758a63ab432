import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  ConnectionLossError,
  NotReadOnlyError,
  ZooKeeper,
  type ZooKeeperOptions,
} from '../../src/index.js';
import type { HostAddress } from '../../src/client/connect-string.js';
import { askReadOnly, RwServerProbe } from '../../src/client/transport/rw-server-probe.js';
import { LeaseLostError, Mutex } from '../../src/recipes/index.js';
import { ZooKeeperEnsemble, type EnsembleMember } from '../../src/testing/index.js';
import { bringBackStopped, untilMode } from '../support/ensemble.js';
import { rejectionOf, until, within } from '../support/poll.js';
import { StateLog } from './session-helpers.js';

// Read-only mode on one real 3-member ensemble with readonlymode.enabled: a member whose peers
// are stopped becomes a read-only server. afterEach brings stopped members back (together: a
// member only serves again with a quorum).

/** Generous: nothing here races the session timeout except the loss timer we wait for. */
const SESSION_TIMEOUT = 10_000;
/** A member notices the lost quorum, then starts its read-only server after max(2 s, tickTime). */
const READ_ONLY_WITHIN = 30_000;

let ensemble: ZooKeeperEnsemble;
const clients: ZooKeeper[] = [];

async function open(connectString: string, options: ZooKeeperOptions = {}): Promise<ZooKeeper> {
  const zk = await ZooKeeper.connect(connectString, {
    sessionTimeout: SESSION_TIMEOUT,
    ...options,
  });
  clients.push(zk);
  return zk;
}

function address(member: EnsembleMember): HostAddress {
  return { host: member.host, port: member.port };
}

/** Stops every member but `survivor` and waits until it serves read-only. */
async function isolate(survivor: EnsembleMember): Promise<void> {
  await Promise.all(ensemble.members.filter((m) => m !== survivor).map((m) => m.stop()));
  await untilMode(survivor, 'read-only', { timeoutMs: READ_ONLY_WITHIN, probeTimeoutMs: 1000 });
}

beforeAll(async () => {
  ensemble = await ZooKeeperEnsemble.start({ size: 3, readOnlyMode: true });
  const zk = await open(ensemble.connectString());
  await zk.create('/ro', 'seed');
  await zk.create('/ro/child');
});

afterAll(async () => {
  await ensemble.stop();
});

afterEach(async () => {
  await Promise.all(clients.splice(0).map((zk) => zk.close()));
  await bringBackStopped(ensemble);
});

describe('a member cut off from its peers', () => {
  it('gives a canBeReadOnly client a readOnly session: reads work, writes reject NOTREADONLY', async () => {
    const survivor = ensemble.member(1);
    await isolate(survivor);
    const zk = await open(ensemble.connectString(), { canBeReadOnly: true });

    expect(zk.state).toBe('readOnly');
    expect(zk.connectedServer?.port).toBe(survivor.port);
    expect((await zk.getData('/ro')).data.toString()).toBe('seed');
    expect((await zk.getChildren('/ro')).children).toEqual(['child']);
    expect(await zk.exists('/ro/child')).not.toBeNull();
    expect((await zk.getACL('/ro')).acl).toHaveLength(1);
    const [data] = await zk.multiRead().getData('/ro').commit();
    expect(data.type).toBe('getData');

    const writes: [string, () => Promise<unknown>][] = [
      ['create', () => zk.create('/ro/new')],
      ['setData', () => zk.setData('/ro', 'changed')],
      ['delete', () => zk.delete('/ro/child')],
      ['transaction', () => zk.transaction().setData('/ro', 'changed').commit()],
      ['sync', () => zk.sync('/ro')],
    ];
    for (const [name, write] of writes) {
      const error = await rejectionOf(write());
      expect(error, name).toBeInstanceOf(NotReadOnlyError);
      expect((error as NotReadOnlyError).code, name).toBe('NOTREADONLY');
    }
    // Still read-only and usable after the refusals.
    expect(zk.state).toBe('readOnly');
    expect((await zk.getData('/ro')).data.toString()).toBe('seed');
    // What the probe sees: read-only here, nothing from the stopped members.
    expect(await askReadOnly(address(survivor))).toBe('ro');
    expect(await askReadOnly(address(ensemble.member(2)))).toBeUndefined();
  });

  it('refuses a client without canBeReadOnly', async () => {
    const survivor = ensemble.member(2);
    await isolate(survivor);
    const error = await rejectionOf(open(survivor.connectString, { connectTimeout: 3000 }));
    expect(error).toBeInstanceOf(ConnectionLossError);
  });
});

describe('when the peers come back', () => {
  it('the client moves to a read/write server by itself, on a new session, watches kept', async () => {
    const survivor = ensemble.member(3);
    await isolate(survivor);
    const zk = await open(ensemble.connectString(), { canBeReadOnly: true });
    expect(zk.state).toBe('readOnly');
    const readOnlySession = zk.sessionId;
    const { watch } = await zk.getData('/ro', { watch: true });
    const log = new StateLog(zk);
    // Nothing vouches for a read-only server's session, in readOnly or in the suspended after it.
    const deadlines: [string, boolean][] = [['readOnly', zk.sessionDeadline !== undefined]];
    zk.on('state', (state) => deadlines.push([state, zk.sessionDeadline !== undefined]));

    await bringBackStopped(ensemble);
    // The probe by itself, on the real servers. Started now, with the quorum back, its first
    // `isro` (100 ms in) finds a read/write member; started earlier, its doubling pauses could
    // make it wait about as long again as the outage lasted.
    const lifetime = new AbortController();
    const found = new Promise<HostAddress>((resolve) => {
      const probe = new RwServerProbe(ensemble.members.map(address), lifetime.signal, (host) =>
        askReadOnly(host),
      );
      void probe.watch({ server: address(survivor), isOpen: true }, resolve);
    });
    const connected = await log.waitFor('connected', 3 * SESSION_TIMEOUT);

    // Between the two: the drop, and maybe another read-only session if the reconnect reached
    // the survivor before it rejoined. Never lost: a read-only session holds nothing to lose.
    expect(log.states[0]).toBe('suspended');
    expect(log.states.at(-1)).toBe('connected');
    expect(log.states.every((s) => ['suspended', 'readOnly', 'connected'].includes(s))).toBe(true);
    expect(deadlines.every(([state, has]) => has === (state === 'connected'))).toBe(true);
    expect(connected.sessionId).not.toBe(readOnlySession);
    expect(connected.sessionId).toBe(zk.sessionId);
    expect(zk.state).toBe('connected');
    const rw = await within('a read/write server found by the probe', found, SESSION_TIMEOUT);
    lifetime.abort();
    expect(rw.port).not.toBe(survivor.port);
    expect(await askReadOnly(rw)).toBe('rw');

    await zk.create('/ro/after', 'written');
    const writer = await open(ensemble.connectString());
    await writer.setData('/ro', 'changed by another client');
    // The watch set on the read-only session was re-registered on the new one.
    // (3.9+ events also carry the zxid.)
    expect(await within('the carried watch', watch)).toMatchObject({
      type: 'nodeDataChanged',
      path: '/ro',
    });
    await zk.delete('/ro/after');
    await writer.setData('/ro', 'seed');
  });

  it('a quorum session is lost when its member goes read-only; the client goes on read-only, then read/write', async () => {
    const zk = await open(ensemble.connectString(), { canBeReadOnly: true });
    // An ephemeral node makes the session a global one (local sessions are on).
    await zk.create('/ro/eph', 'mine', { mode: 'ephemeral' });
    const mutex = new Mutex(zk, '/ro-locks/m');
    const lease = await mutex.acquire();
    const quorumSession = zk.sessionId;
    const survivor = ensemble.members.find((m) => m.port === zk.connectedServer?.port);
    if (survivor === undefined) throw new Error('the client is on no member');
    const log = new StateLog(zk);

    await isolate(survivor);
    // The read-only server refuses to resume a global session: the client's own loss timer
    // ends it, then a new session is opened read-only.
    const lost = await log.waitFor('lost', 3 * SESSION_TIMEOUT);
    expect(lost.sessionId).toBe(quorumSession);
    expect(lost.cause).toBe('timeout');
    const readOnly = await log.waitFor('readOnly', 3 * SESSION_TIMEOUT);
    expect(readOnly.sessionId).not.toBe(quorumSession);
    expect(log.states.slice(0, 3)).toEqual(['suspended', 'lost', 'readOnly']);
    expect((await zk.getChildren('/ro')).children).toContain('child');
    // The holder stopped trusting the lock at the drop; releasing it read-only cannot delete the
    // node (the quorum will, with the lost session) and does not hang or throw.
    expect(lease.signal.reason).toBeInstanceOf(LeaseLostError);
    expect((lease.signal.reason as LeaseLostError).lossCause).toBe('suspended');
    await within('release while read-only', lease.release());
    // Nobody can take a lock through a read-only server.
    expect(await rejectionOf(mutex.acquire())).toBeInstanceOf(NotReadOnlyError);

    const before = log.records.length;
    await bringBackStopped(ensemble);
    const connected = await log.waitFor('connected', 3 * SESSION_TIMEOUT, before);
    expect(connected.sessionId).not.toBe(readOnly.sessionId);
    const { stat } = await zk.create('/ro/eph2', 'new', { mode: 'ephemeral' });
    expect(stat.ephemeralOwner).toBe(zk.sessionId);
    // The quorum knew nothing of the client's loss: it tracks the old session afresh when it
    // re-forms, and expires it one session timeout later, deleting its ephemeral node only then.
    await until(
      'the lost session expired by the quorum',
      async () => (await zk.exists('/ro/eph')) === null,
      { timeoutMs: 3 * SESSION_TIMEOUT },
    );
    await zk.delete('/ro/eph2');
  });
});

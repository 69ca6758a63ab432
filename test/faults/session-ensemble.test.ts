import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ConnectionLossError, NodeExistsError, ZooKeeper } from '../../src/index.js';
import type { ZooKeeperOptions } from '../../src/index.js';
import {
  FaultProxy,
  ZooKeeperEnsemble,
  type EnsembleMember,
  type WireCounts,
} from '../../src/testing/index.js';
import { bringBackStopped } from '../support/ensemble.js';
import { within } from '../support/poll.js';
import { StateLog, sum, track } from './session-helpers.js';

// Server crashes under a session: one real 3-member ensemble for the file. A test may kill
// members; afterEach restarts whatever is down (together, since a member only comes back with a
// quorum) so the next test starts from three serving members again.

const SET_WATCHES = 101;
const CLOSE_SESSION = -11;
/** Long enough for a killed member's restart (and an election) to fit in one session. */
const SESSION_TIMEOUT = 10_000;

let ensemble: ZooKeeperEnsemble;
let root: string;
const clients: ZooKeeper[] = [];
const proxies: FaultProxy[] = [];

async function open(
  connectString: string,
  options: ZooKeeperOptions = {},
): Promise<{ zk: ZooKeeper; log: StateLog }> {
  const zk = await ZooKeeper.connect(connectString, {
    sessionTimeout: SESSION_TIMEOUT,
    ...options,
  });
  clients.push(zk);
  return { zk, log: new StateLog(zk) };
}

/** One FaultProxy per member, in member order: the client's connect string and wire counters. */
async function proxyEveryMember(): Promise<FaultProxy[]> {
  const started = await Promise.all(
    ensemble.members.map((member) => FaultProxy.start({ target: member.connectString })),
  );
  proxies.push(...started);
  return started;
}

function memberAt(port: number | undefined): EnsembleMember {
  const member = ensemble.members.find((m) => m.port === port);
  if (member === undefined) throw new Error(`no member on port ${String(port)}`);
  return member;
}

/** The member behind the proxy the client is connected to. */
function memberBehind(zk: ZooKeeper, via: readonly FaultProxy[]): EnsembleMember {
  const proxy = via.find((p) => p.port === zk.connectedServer?.port);
  if (proxy === undefined) throw new Error('the client is not connected through a proxy');
  return memberAt(proxy.target.port);
}

function counts(via: readonly FaultProxy[]): WireCounts[] {
  return via.map((p) => p.counts());
}

function figure(text: string): void {
  console.info(`[session figures] ${text}`);
}

beforeAll(async () => {
  ensemble = await ZooKeeperEnsemble.start({ size: 3 });
});

afterAll(async () => {
  await ensemble.stop();
});

beforeEach(async () => {
  root = `/ensemble-${randomBytes(5).toString('hex')}`;
  const { zk } = await open(ensemble.connectString());
  await zk.create(root);
});

afterEach(async () => {
  await Promise.all(clients.splice(0).map((zk) => zk.close()));
  await Promise.all(proxies.splice(0).map((p) => p.stop()));
  await bringBackStopped(ensemble);
});

describe('kill -9 of the server the client is connected to', () => {
  it('resumes the same session on another member, ephemerals kept', async () => {
    const via = await proxyEveryMember();
    const { zk, log } = await open(via.map((p) => p.connectString).join(','));
    await zk.create(`${root}/eph`, 'mine', { mode: 'ephemeral' });
    await zk.setData(`${root}/eph`, 'written just before the kill');
    const sessionId = zk.sessionId;
    const victim = memberBehind(zk, via);
    const role = await victim.mode();

    const killedAt = performance.now();
    await victim.kill();
    const reconnected = await log.waitFor('reconnected', SESSION_TIMEOUT);

    expect(log.states).toEqual(['suspended', 'reconnected']);
    expect(reconnected.sessionId).toBe(sessionId);
    expect(memberBehind(zk, via)).not.toBe(victim);
    // Read without sync: the member that took the session back is not behind the client's
    // newest zxid (it would have refused the connection), so the client's own write is there.
    const { data, stat } = await zk.getData(`${root}/eph`);
    expect(data.toString()).toBe('written just before the kill');
    expect(stat.ephemeralOwner).toBe(sessionId);
    figure(
      `kill -9 of the connected member (${role}) -> reconnected ` +
        `${Math.round(reconnected.at - killedAt)} ms (T=${zk.sessionTimeout})`,
    );
  });

  it('delivers a change made while the client is away exactly once; the next needs a new watch', async () => {
    const via = await proxyEveryMember();
    const { zk, log } = await open(via.map((p) => p.connectString).join(','));
    await zk.create(`${root}/w`, 'v0');
    await zk.create(`${root}/kids`);
    const data = track((await zk.getData(`${root}/w`, { watch: true })).watch);
    const created = track((await zk.exists(`${root}/later`, { watch: true })).watch);
    const children = track((await zk.getChildren(`${root}/kids`, { watch: true })).watch);
    const victim = memberBehind(zk, via);
    const survivors = ensemble.members.filter((m) => m !== victim);
    const writer = (await open(ensemble.connectString(survivors.map((m) => m.id)))).zk;

    // The survivors' proxies hold the client's reconnect until the changes are made, so they
    // surely land while it is away and reach it only through the re-registered watches.
    const held = via.filter((p) => p.target.port !== victim.port);
    for (const p of held) p.blackhole();
    for (const p of via) p.resetCounts();
    await victim.kill();
    await log.waitFor('suspended', SESSION_TIMEOUT);
    // The writer's own member may be in an election (if the victim led): retry what is safe.
    await writer.retry(() => writer.setData(`${root}/w`, 'v1'));
    await writer.retry(() => createOnce(writer, `${root}/later`));
    await writer.retry(() => createOnce(writer, `${root}/kids/c1`));
    expect(data.events).toEqual([]);
    for (const p of held) p.pass();
    await log.waitFor('reconnected', SESSION_TIMEOUT);

    expect(await within('data watch', data.promise)).toEqual({
      type: 'nodeDataChanged',
      path: `${root}/w`,
    });
    expect(await within('exists watch', created.promise)).toEqual({
      type: 'nodeCreated',
      path: `${root}/later`,
    });
    expect(await within('child watch', children.promise)).toEqual({
      type: 'nodeChildrenChanged',
      path: `${root}/kids`,
    });
    const wire = counts(via);
    expect(sum(wire, (c) => c.clientToServer.byOpcode[SET_WATCHES] ?? 0)).toBe(1);
    expect(sum(wire, (c) => c.serverToClient.notifications)).toBe(3);

    // The watches were used up: a further change is not reported (a duplicate of the first
    // would show here) until a new watch is set.
    await writer.setData(`${root}/w`, 'v2');
    await zk.sync(`${root}/w`);
    const again = await zk.getData(`${root}/w`, { watch: true });
    expect(again.data.toString()).toBe('v2');
    expect(sum(counts(via), (c) => c.serverToClient.notifications)).toBe(3);
    await writer.setData(`${root}/w`, 'v3');
    expect(await within('the new data watch', again.watch)).toEqual({
      type: 'nodeDataChanged',
      path: `${root}/w`,
    });
    expect(sum(counts(via), (c) => c.serverToClient.notifications)).toBe(4);
    expect(log.states).toEqual(['suspended', 'reconnected']);
  });
});

describe('quorum lost and regained', () => {
  it('suspends while 2 of 3 are down and resumes the session once they are back', async () => {
    const { zk, log } = await open(ensemble.connectString());
    await zk.create(`${root}/eph`, 'mine', { mode: 'ephemeral' });
    const sessionId = zk.sessionId;
    const home = memberAt(zk.connectedServer?.port);
    const others = ensemble.members.filter((m) => m !== home);

    const killedAt = performance.now();
    await Promise.all(others.map((m) => m.kill()));
    // The client's own member stays up but stops serving without a quorum.
    const suspended = await log.waitFor('suspended', SESSION_TIMEOUT);
    await Promise.all(others.map((m) => m.restart()));
    const restartedAt = performance.now();
    const reconnected = await log.waitFor('reconnected', SESSION_TIMEOUT);

    expect(log.states).toEqual(['suspended', 'reconnected']);
    expect(zk.sessionId).toBe(sessionId);
    expect((await zk.exists(`${root}/eph`))?.ephemeralOwner).toBe(sessionId);
    await zk.setData(`${root}/eph`, 'written after the quorum came back');
    expect((await zk.getData(`${root}/eph`)).stat.version).toBe(1);
    figure(
      `quorum loss: kill -> suspended ${Math.round(suspended.at - killedAt)} ms, ` +
        `members restarted after ${Math.round(restartedAt - killedAt)} ms, ` +
        `kill -> reconnected ${Math.round(reconnected.at - killedAt)} ms (T=${zk.sessionTimeout})`,
    );
  });
});

describe('quorum lost for longer than the session', () => {
  it('reports lost (timeout); the old session, revived by the election, is closed by the client', async () => {
    const via = await proxyEveryMember();
    // A short session (6 s): the quorum stays down past it, and comes back (two restarts, ~1-2 s)
    // while the client still tries, for one session timeout after lost, to close the old one.
    const { zk, log } = await open(via.map((p) => p.connectString).join(','), {
      sessionTimeout: 6000,
    });
    await zk.create(`${root}/eph`, 'mine', { mode: 'ephemeral' });
    const oldSession = zk.sessionId;
    const home = memberBehind(zk, via);
    const others = ensemble.members.filter((m) => m !== home);

    await Promise.all(others.map((m) => m.kill()));
    const lost = await log.waitFor('lost', 2 * zk.sessionTimeout);
    expect(lost).toMatchObject({ cause: 'timeout', sessionId: oldSession, previous: 'suspended' });
    // A new leader restores every session it finds in its log with a fresh timeout: without the
    // client's close, the ephemeral would outlive the client's `lost` by a whole session.
    await Promise.all(others.map((m) => m.restart()));
    const connected = await log.waitFor('connected', 2 * SESSION_TIMEOUT);

    expect(log.states).toEqual(['suspended', 'lost', 'connected']);
    expect(connected.sessionId).not.toBe(oldSession);
    expect(sum(counts(via), (c) => c.clientToServer.byOpcode[CLOSE_SESSION] ?? 0)).toBe(1);
    // The close was answered before the new session was opened: the ephemeral is gone already.
    await zk.sync(root);
    expect(await zk.exists(`${root}/eph`)).toBeNull();
  });
});

describe('the leader killed under a stream of writes', () => {
  it('loses no acknowledged write and applies none twice', async () => {
    const { zk, log } = await open(ensemble.connectString());
    await zk.create(`${root}/seq`);
    const leader = await ensemble.leader();
    const total = 300;
    const inFlight = 30;
    const killAfter = 100;
    const acked = new Map<number, string>();
    const failed = new Map<number, unknown>();
    let next = 0;
    let kill: Promise<void> | undefined;

    // `inFlight` writers, each issuing its next create as soon as the last one settles: the
    // pipe stays full while the leader dies, and writes keep coming while the client is away.
    const writer = async (): Promise<void> => {
      while (next < total) {
        const id = next++;
        try {
          const { path } = await zk.create(`${root}/seq/w-`, String(id), {
            mode: 'persistent-sequential',
          });
          acked.set(id, path);
          if (acked.size === killAfter) kill = leader.kill();
        } catch (error) {
          failed.set(id, error);
        }
      }
    };
    await within(
      'the writes',
      Promise.all(Array.from({ length: inFlight }, writer)),
      3 * SESSION_TIMEOUT,
    );
    await kill;

    expect(kill).toBeDefined();
    expect(acked.size + failed.size).toBe(total);
    for (const error of failed.values()) expect(error).toBeInstanceOf(ConnectionLossError);
    expect(log.states).toContain('reconnected');
    expect(log.states).not.toContain('lost');

    // What the ensemble holds, read after a sync through whichever member the client is on.
    await zk.sync(`${root}/seq`);
    const { children } = await zk.getChildren(`${root}/seq`);
    const nodesById = new Map<number, string[]>();
    for (const child of children) {
      const path = `${root}/seq/${child}`;
      const id = Number((await zk.getData(path)).data.toString());
      nodesById.set(id, [...(nodesById.get(id) ?? []), path]);
    }
    for (const [id, path] of acked) expect(nodesById.get(id)).toEqual([path]);
    for (const [id, paths] of nodesById) {
      expect(id >= 0 && id < total).toBe(true);
      // A write that failed may have been applied (outcome unknown), but at most once.
      expect(paths).toHaveLength(1);
    }
    const appliedAfterLoss = [...failed.keys()].filter((id) => nodesById.has(id)).length;
    figure(
      `leader kill under writes: ${acked.size} acknowledged (all present), ${failed.size} ` +
        `ConnectionLossError (${appliedAfterLoss} of them applied nonetheless)`,
    );
  });
});

/** Creates a node, counting "it already exists" as done: a retry after a lost reply. */
async function createOnce(zk: ZooKeeper, path: string): Promise<void> {
  try {
    await zk.create(path);
  } catch (error) {
    if (!(error instanceof NodeExistsError)) throw error;
  }
}

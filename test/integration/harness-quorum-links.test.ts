import { readFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConnectionLossError, ZooKeeper, type ZooKeeperOptions } from '../../src/index.js';
import {
  FaultProxy,
  FaultProxyStoppedError,
  ZooKeeperEnsemble,
  ZooKeeperServerStateError,
  type EnsembleMember,
} from '../../src/testing/index.js';
import { untilMode } from '../support/ensemble.js';
import { rejectionOf, until } from '../support/poll.js';
import { uniqueRoot } from './helpers.js';

// One real 3-member ensemble whose members reach each other only through FaultProxies: the tests
// run in order, each leaving every member serving (healed) for the next; the last stops it.

const TICK_MS = 500;
const SYNC_LIMIT = 2;
/** How long a member may hear nothing from its leader (or the leader from it) before giving up. */
const SYNC_MS = TICK_MS * SYNC_LIMIT;

let ensemble: ZooKeeperEnsemble;
const clients: ZooKeeper[] = [];
const proxies: FaultProxy[] = [];
const root = uniqueRoot('quorum-links');

async function open(connectString: string, options: ZooKeeperOptions = {}): Promise<ZooKeeper> {
  const zk = await ZooKeeper.connect(connectString, { sessionTimeout: 10_000, ...options });
  clients.push(zk);
  return zk;
}

/** Polls every 50 ms, as untilMode does: the figures printed are only as fine as the polling. */
const POLL = { intervalMs: 50 } as const;

function figure(text: string): void {
  console.info(`[quorum figures] ${text}`);
}

beforeAll(async () => {
  ensemble = await ZooKeeperEnsemble.start({
    size: 3,
    tickTime: TICK_MS,
    syncLimit: SYNC_LIMIT,
    initLimit: 6,
    quorumLinks: 'proxied',
  });
});

afterAll(async () => {
  await Promise.all(clients.splice(0).map((zk) => zk.close()));
  await Promise.all(proxies.splice(0).map((proxy) => proxy.stop()));
  await ensemble.stop();
});

describe("ZooKeeperEnsemble with quorumLinks: 'proxied'", () => {
  it('refuses reconfig, and limits that are not positive or given twice, before starting', async () => {
    const refused = [
      { size: 3, quorumLinks: 'proxied', reconfig: true },
      { size: 3, syncLimit: 0 },
      { size: 3, initLimit: 2.5 },
      { size: 3, syncLimit: 2, config: { syncLimit: 3 } },
      { size: 3, quorumLinks: 'sideways' as 'direct' },
    ] as const;
    for (const options of refused) {
      expect(await rejectionOf(ZooKeeperEnsemble.start(options))).toBeInstanceOf(RangeError);
    }
  });

  it("gives each member the others' addresses as proxies of its own, its own ports as they are", async () => {
    const leader = await ensemble.leader();
    for (const member of ensemble.members) {
      const cfg = await readFile(join(member.workDir, 'zoo.cfg'), 'utf8');
      for (const other of ensemble.members) {
        const { quorumPort, electionPort } =
          other === member
            ? other
            : {
                quorumPort: ensemble.quorumLink(member.id, other.id).quorum.port,
                electionPort: ensemble.quorumLink(member.id, other.id).election.port,
              };
        expect(cfg).toContain(`server.${other.id}=127.0.0.1:${quorumPort}:${electionPort}\n`);
      }
      const conf = await member.fourLetterWord('conf');
      expect(conf).toContain(`syncLimit=${SYNC_LIMIT}`);
      expect(conf).toContain('initLimit=6');
    }
    // Followers sync with the leader through their own link to it, and through nothing else.
    for (const from of ensemble.members) {
      for (const to of ensemble.members.filter((m) => m !== from)) {
        const link = ensemble.quorumLink(from.id, to.id);
        await until(
          `quorum connections ${from.id}→${to.id}`,
          () => link.quorum.connectionCount === (to === leader ? 1 : 0),
          POLL,
        );
      }
    }
    // Each pair keeps one election connection, opened by the higher id (to which the lower one's
    // connection is handed back): through the proxies too, not to the real port it advertised.
    for (const [a, b] of [
      [1, 2],
      [1, 3],
      [2, 3],
    ] as const) {
      await until(
        `an election connection between ${a} and ${b}`,
        () =>
          ensemble.quorumLink(a, b).election.connectionCount +
            ensemble.quorumLink(b, a).election.connectionCount >
          0,
        POLL,
      );
    }
    expect(() => ensemble.quorumLink(1, 1)).toThrow(RangeError);
    expect(() => {
      ensemble.isolate(4);
    }).toThrow(RangeError);
  });

  let follower: EnsembleMember;
  let local: ZooKeeper;
  let localSession: bigint;

  it('isolate(follower): its clients get pings and stale reads answered until it gives up after ~syncLimit ticks; the others keep a quorum and take writes', async () => {
    const leader = await ensemble.leader();
    follower = ensemble.members.find((m) => m !== leader)!;
    const other = ensemble.members.find((m) => m !== leader && m !== follower)!;
    const writer = await open(ensemble.connectString([leader.id, other.id]));
    await writer.create(root, 'v1');
    local = await open(follower.connectString);
    localSession = local.sessionId;
    await local.sync(root);
    // A second client, on a short session, through a proxy that counts the pings it gets answered:
    // one that trusts what its server answers, as other ZooKeeper clients do (with the leader's
    // confirmation it would leave the cut-off follower: see test/faults/leader-trust.test.ts).
    const counter = await FaultProxy.start({ target: follower.connectString });
    proxies.push(counter);
    await open(counter.connectString, { sessionTimeout: 1200, leaderConfirmation: false });

    counter.resetCounts();
    const isolatedAt = performance.now();
    ensemble.isolate(follower.id);
    expect(ensemble.isolated()).toEqual([follower.id]);
    expect(await follower.mode()).toBe('follower');
    await writer.setData(root, 'v2');
    // Answered by the follower itself, which never got v2.
    expect((await local.getData(root)).data.toString()).toBe('v1');
    // A write has to reach the leader: it waits (after it, so do this session's reads).
    const write = rejectionOf(local.setData(root, 'through the isolated follower'));

    await untilMode(follower, 'not serving');
    const gaveUpAfter = performance.now() - isolatedAt;
    figure(`isolated follower stopped serving after ${Math.round(gaveUpAfter)} ms`);
    // Not at once: it served while it waited for the leader (how long is a figure, not a test).
    expect(gaveUpAfter).toBeGreaterThan(SYNC_MS / 2);
    const pings = counter.counts().serverToClient.pings;
    figure(`pings answered by the isolated follower meanwhile: ${pings}`);
    expect(pings).toBeGreaterThan(0);
    // Giving up, it closed its clients' connections: the write is lost with them.
    expect(await write).toBeInstanceOf(ConnectionLossError);

    expect(await ensemble.waitForQuorum()).toBe(leader);
    await writer.create(`${root}/while-isolated`, 'x');
    // Cut off, it cannot rejoin: still not serving well after the others moved on.
    await sleep(SYNC_MS);
    expect(await follower.mode()).toBe('not serving');
  });

  it('heal(): the follower rejoins as follower with what it missed; its client keeps its session', async () => {
    ensemble.heal(follower.id);
    expect(ensemble.isolated()).toEqual([]);
    figure(
      `healed follower serving again after ${Math.round(await untilMode(follower, 'follower'))} ms`,
    );
    await local.sync(root);
    expect(local.sessionId).toBe(localSession);
    expect((await local.getData(root)).data.toString()).toBe('v2');
    expect(await local.exists(`${root}/while-isolated`)).not.toBeNull();
  });

  it('a restarted member syncs through its own proxy again', async () => {
    const leader = await ensemble.leader();
    const member = ensemble.members.find((m) => m !== leader)!;
    await member.kill();
    await member.restart();
    expect(await member.mode()).toBe('follower');
    const link = ensemble.quorumLink(member.id, leader.id);
    await until(
      'the restarted member on its link to the leader',
      () => link.quorum.connectionCount === 1,
      POLL,
    );
  });

  it('isolate(leader): the other two elect a new leader and take writes; heal(): the old one follows', async () => {
    const old = await ensemble.leader();
    const others = ensemble.members.filter((m) => m !== old);
    const isolatedAt = performance.now();
    ensemble.isolate(old.id);
    let next: EnsembleMember | undefined;
    await until(
      'a new leader',
      async () => {
        const modes = await ensemble.modes();
        next = others.find((m) => modes.get(m.id) === 'leader');
        return next !== undefined;
      },
      POLL,
    );
    const electedAfter = performance.now() - isolatedAt;
    figure(`new leader ${next!.id} after ${Math.round(electedAfter)} ms`);
    await untilMode(old, 'not serving');
    const zk = await open(ensemble.connectString(others.map((m) => m.id)));
    await zk.create(`${root}/new-leader`, `${next!.id}`);

    ensemble.heal(old.id);
    await untilMode(old, 'follower');
    expect(await ensemble.leader()).toBe(next);
  });

  it('stop() stops the proxies with the members', async () => {
    const link = ensemble.quorumLink(1, 2);
    await Promise.all(clients.splice(0).map((zk) => zk.close()));
    await ensemble.stop();
    expect(() => {
      link.quorum.pass();
    }).toThrow(FaultProxyStoppedError);
    expect(() => {
      ensemble.isolate(1);
    }).toThrow(ZooKeeperServerStateError);
    const refused = await new Promise<boolean>((resolve) => {
      const socket = connect(link.election.port, '127.0.0.1');
      socket.on('connect', () => {
        socket.destroy();
        resolve(false);
      });
      socket.on('error', () => {
        resolve(true);
      });
    });
    expect(refused).toBe(true);
  });
});

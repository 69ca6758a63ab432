import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ZooKeeper } from '../../src/index.js';
import {
  EnsembleSizeError,
  ZooKeeperEnsemble,
  ZooKeeperServerStateError,
  type EnsembleMember,
} from '../../src/testing/index.js';
import { untilMode } from '../support/ensemble.js';
import { uniqueRoot } from './helpers.js';

// One real 3-member ensemble for the whole file (each JVM costs ~0.3-1 s and ~65 MB): the tests
// run in order and each leaves it serving for the next, except the last, which stops it.

let ensemble: ZooKeeperEnsemble;
const clients: ZooKeeper[] = [];
const root = uniqueRoot('ensemble');

async function open(connectString: string): Promise<ZooKeeper> {
  const zk = await ZooKeeper.connect(connectString, { sessionTimeout: 10_000 });
  clients.push(zk);
  return zk;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function memberAt(port: number | undefined): EnsembleMember {
  const member = ensemble.members.find((m) => m.port === port);
  if (member === undefined) throw new Error(`no member on port ${String(port)}`);
  return member;
}

beforeAll(async () => {
  ensemble = await ZooKeeperEnsemble.start({ size: 3 });
});

afterAll(async () => {
  await Promise.all(clients.splice(0).map((zk) => zk.close()));
  await ensemble.stop();
});

describe('ZooKeeperEnsemble of 3', () => {
  it('refuses other sizes with a typed error, before starting anything', async () => {
    const error = await ZooKeeperEnsemble.start({ size: 4 as 3 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EnsembleSizeError);
    expect(error).toMatchObject({ code: 'ENSEMBLE_SIZE_INVALID' });
  });

  it('serves on every member, with exactly one leader', async () => {
    const modes = await Promise.all(ensemble.members.map((m) => m.mode()));
    expect(modes.filter((mode) => mode === 'leader')).toHaveLength(1);
    expect(modes.filter((mode) => mode === 'follower')).toHaveLength(2);
    expect(ensemble.members.map((m) => m.id)).toEqual([1, 2, 3]);
    for (const member of ensemble.members) {
      expect(isAlive(member.pid)).toBe(true);
      expect((await readFile(join(member.dataDir, 'myid'), 'utf8')).trim()).toBe(`${member.id}`);
      expect(member.connectString).toBe(`127.0.0.1:${member.port}`);
    }
    const ports = ensemble.members.flatMap((m) => [m.port, m.quorumPort, m.electionPort]);
    expect(new Set(ports).size).toBe(9);
    expect(ensemble.connectString()).toBe(ensemble.members.map((m) => m.connectString).join(','));
    expect(ensemble.connectString([3, 1])).toBe(
      `${ensemble.member(3).connectString},${ensemble.member(1).connectString}`,
    );
    expect(() => ensemble.member(4)).toThrow(RangeError);
    // Isolating a member needs quorumLinks: 'proxied' (harness-quorum-links.test.ts).
    expect(() => {
      ensemble.isolate(1);
    }).toThrow(ZooKeeperServerStateError);
    expect(ensemble.isolated()).toEqual([]);
  });

  it('replicates: a write through connectString() is read on another member after sync', async () => {
    const writer = await open(ensemble.connectString());
    await writer.create(root, 'replicated');
    const other = ensemble.members.find((m) => m.port !== writer.connectedServer?.port)!;
    const reader = await open(other.connectString);
    await reader.sync(root);
    expect((await reader.getData(root)).data.toString()).toBe('replicated');
  });

  let oldLeader: EnsembleMember;

  it('elects a new leader when the leader is killed; sessions and writes carry on', async () => {
    const survivor = await open(ensemble.connectString());
    const sessionId = survivor.sessionId;
    oldLeader = await ensemble.leader();
    await oldLeader.kill();
    expect(isAlive(oldLeader.pid)).toBe(false);
    expect(await oldLeader.mode()).toBe('not serving');

    const newLeader = await ensemble.leader({ timeoutMs: 20_000 });
    expect(newLeader.id).not.toBe(oldLeader.id);
    const others = ensemble.members.filter((m) => m !== oldLeader).map((m) => m.id);
    const zk = await open(ensemble.connectString(others));
    await zk.create(`${root}/after-failover`, 'x');
    // The client that was connected before the kill keeps its session (on whichever member).
    await survivor.setData(root, 'still here');
    expect(survivor.sessionId).toBe(sessionId);
    expect(memberAt(survivor.connectedServer?.port)).not.toBe(oldLeader);
  });

  it('takes the old leader back as a follower on restart, with the writes it missed', async () => {
    const pid = oldLeader.pid;
    await oldLeader.restart();
    expect(oldLeader.pid).not.toBe(pid);
    expect(await oldLeader.mode()).toBe('follower');
    const zk = await open(oldLeader.connectString);
    await zk.sync(root);
    expect(await zk.exists(`${root}/after-failover`)).not.toBeNull();
    expect(await ensemble.waitForQuorum()).not.toBe(oldLeader);
  });

  it('pause() silences a follower while the quorum serves; resume() brings it back', async () => {
    const leader = await ensemble.leader();
    const follower = ensemble.members.find((m) => m !== leader)!;
    await follower.pause();
    expect(await follower.mode({ timeoutMs: 300 })).toBe('not serving');
    expect(await ensemble.waitForQuorum()).toBe(leader);
    await follower.resume();
    // Back within syncLimit it simply carries on; later it would first resync.
    await untilMode(follower, 'follower');
  });

  it('stop() ends every JVM and removes the directory; members cannot come back', async () => {
    await Promise.all(clients.splice(0).map((zk) => zk.close()));
    const pids = ensemble.members.map((m) => m.pid);
    await ensemble.stop();
    for (const pid of pids) expect(isAlive(pid)).toBe(false);
    expect(existsSync(ensemble.workDir)).toBe(false);
    await expect(ensemble.member(1).restart()).rejects.toMatchObject({
      code: 'ZOOKEEPER_SERVER_STATE',
    });
    await expect(ensemble.leader()).rejects.toMatchObject({ code: 'ZOOKEEPER_SERVER_STATE' });
    await ensemble.stop();
  });
});

describe('ZooKeeperEnsemble of 5', () => {
  it('starts, survives two members down, and disposes', async () => {
    await using five = await ZooKeeperEnsemble.start({ size: 5 });
    const leader = await five.leader();
    const followers = five.members.filter((m) => m !== leader);
    await Promise.all(followers.slice(0, 2).map((m) => m.kill()));
    expect(await five.waitForQuorum()).toBe(leader);
    // Declared after the ensemble, so disposed before it.
    await using zk = await ZooKeeper.connect(five.connectString([leader.id]));
    await zk.create('/five', 'ok');
  });
});

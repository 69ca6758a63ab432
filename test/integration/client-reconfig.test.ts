import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  BadVersionError,
  NewConfigNoQuorumError,
  NoAuthError,
  ReconfigDisabledError,
  ZooKeeper,
} from '../../src/index.js';
import type { ParsedConfig } from '../../src/index.js';
import { freePorts, ZooKeeperEnsemble } from '../../src/testing/index.js';
import type { EnsembleMember } from '../../src/testing/index.js';
import { rejectionOf } from '../support/poll.js';
import { connectString } from './helpers.js';

// getConfig and reconfig on real 3-member ensembles started with `reconfig: true`. A client is
// never connected to a member that a test removes: the removed member drops its clients.

const clients: ZooKeeper[] = [];

async function open(connect: string): Promise<ZooKeeper> {
  const client = await ZooKeeper.connect(connect, { sessionTimeout: 20_000 });
  clients.push(client);
  return client;
}

afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.close()));
});

/** The config lines the harness wrote for these members. */
function expectedMembers(members: readonly EnsembleMember[]): ParsedConfig['members'] {
  return members.map((m) => ({
    id: m.id,
    host: '127.0.0.1',
    quorumPort: m.quorumPort,
    electionPort: m.electionPort,
    role: 'participant' as const,
    clientAddress: '127.0.0.1',
    clientPort: m.port,
    spec: `127.0.0.1:${m.quorumPort}:${m.electionPort}:participant;127.0.0.1:${m.port}`,
  }));
}

describe('a reconfig ensemble', () => {
  let ensemble: ZooKeeperEnsemble;
  /** A follower that tests remove and add back, and the member clients talk to. */
  let removable: EnsembleMember;
  let stable: EnsembleMember;

  beforeAll(async () => {
    ensemble = await ZooKeeperEnsemble.start({ size: 3, reconfig: true });
    const leader = await ensemble.leader();
    [removable, stable] = ensemble.members.filter((m) => m !== leader) as [
      EnsembleMember,
      EnsembleMember,
    ];
  });

  afterAll(async () => {
    await ensemble.stop();
  });

  /** A client of a member that stays, authenticated as the super user, whom reconfig needs. */
  async function connectAdmin(chroot = ''): Promise<ZooKeeper> {
    const zk = await open(`${stable.connectString}${chroot}`);
    await zk.addAuth('digest', ensemble.superAuth ?? '');
    return zk;
  }

  it('getConfig lists the members with their ports, and the version that committed it', async () => {
    const zk = await connectAdmin();
    const { data, stat, config } = await zk.getConfig();
    expect(config.members).toEqual(expectedMembers(ensemble.members));
    expect(config.version).toBeGreaterThan(0n);
    // The server stores the config with the zxid of the change that committed it as mzxid.
    expect(stat.mzxid).toBe(config.version);
    expect(config.lines).toContain(`version=${config.version.toString(16)}`);
    expect(data.toString()).toBe(config.lines.join('\n'));
  });

  it('getConfig under a chroot still reads /zookeeper/config', async () => {
    const plain = await connectAdmin();
    const chrooted = await connectAdmin('/some/app');
    const expected = await plain.getConfig();
    const { data, config } = await chrooted.getConfig();
    expect(data).toEqual(expected.data);
    expect(config.members).toHaveLength(3);
  });

  it('rejects a client that is not the super user with NoAuthError', async () => {
    const zk = await open(stable.connectString);
    const { config } = await zk.getConfig();
    const error = await rejectionOf(
      zk.reconfig({ leaving: [removable.id], fromConfig: config.version }),
    );
    expect(error).toBeInstanceOf(NoAuthError);
    expect((await zk.getConfig()).config).toEqual(config);
  });

  it('rejects a stale fromConfig with BadVersionError and changes nothing', async () => {
    const zk = await connectAdmin();
    const before = await zk.getConfig();
    const error = await rejectionOf(
      zk.reconfig({ leaving: [removable.id], fromConfig: before.config.version - 1n }),
    );
    expect(error).toBeInstanceOf(BadVersionError);
    expect((await zk.getConfig()).data).toEqual(before.data);
  });

  it('rejects a membership without a synced quorum with NewConfigNoQuorumError', async () => {
    const zk = await connectAdmin();
    const before = await zk.getConfig();
    const [q4, e4, c4, q5, e5, c5] = await freePorts(6);
    const error = await rejectionOf(
      zk.reconfig({
        members: [
          `server.${stable.id}=${before.config.members.find((m) => m.id === stable.id)?.spec ?? ''}`,
          `server.4=127.0.0.1:${q4}:${e4}:participant;127.0.0.1:${c4}`,
          `server.5=127.0.0.1:${q5}:${e5}:participant;127.0.0.1:${c5}`,
        ],
      }),
    );
    expect(error).toBeInstanceOf(NewConfigNoQuorumError);
    expect((await zk.getConfig()).data).toEqual(before.data);
  });

  it('removes a member and adds it back; config watches fire, also under a chroot', async () => {
    const zk = await connectAdmin();
    // A chroot over the server's own subtree: the event must still name /zookeeper/config.
    const chrooted = await connectAdmin('/zookeeper');
    const initial = await zk.getConfig({ watch: true });
    const chrootedWatch = (await chrooted.getConfig({ watch: true })).watch;
    const spec = initial.config.members.find((m) => m.id === removable.id)?.spec;
    expect(spec).toBeDefined();

    const shrunk = await zk.reconfig({
      leaving: [removable.id],
      fromConfig: initial.config.version,
    });
    expect(shrunk.config.version).toBeGreaterThan(initial.config.version);
    expect(shrunk.config.members.map((m) => m.id)).toEqual(
      ensemble.members.filter((m) => m !== removable).map((m) => m.id),
    );
    // 3.9+ servers also report the event's zxid.
    const event = { type: 'nodeDataChanged', path: '/zookeeper/config' };
    expect(await initial.watch).toMatchObject(event);
    expect(await chrootedWatch).toMatchObject(event);
    expect((await zk.getConfig()).data).toEqual(shrunk.data);

    const restored = await zk.reconfig({
      joining: `server.${removable.id}=${spec ?? ''}`,
      fromConfig: shrunk.config.version,
    });
    expect(restored.config.version).toBeGreaterThan(shrunk.config.version);
    expect(restored.config.members).toEqual(expectedMembers(ensemble.members));

    // reconfig resolves once a quorum has the new configuration. The member added back may still
    // hold the one without it, and would not start on that (`My id N not in the peer list`).
    const back = await open(removable.connectString);
    await back.sync('/');
    expect((await back.getConfig()).data).toEqual(restored.data);

    // The members rewrote their zoo.cfg to point at the new dynamic file; a restart must use it.
    await removable.restart();
    await ensemble.waitForQuorum();
    expect((await back.getConfig()).data).toEqual(restored.data);
    expect(await removable.mode()).toBe('follower');
  });
});

describe('the shared standalone server (no reconfigEnabled)', () => {
  it('has an empty config: no members, version 0n', async () => {
    const zk = await open(connectString());
    const { data, config } = await zk.getConfig();
    expect(data.length).toBe(0);
    expect(config).toEqual({ version: 0n, members: [], lines: [] });
  });

  it('refuses reconfig with ReconfigDisabledError', async () => {
    const zk = await open(connectString());
    const error = await rejectionOf(zk.reconfig({ leaving: [2] }));
    expect(error).toBeInstanceOf(ReconfigDisabledError);
    expect(error).toMatchObject({ code: 'RECONFIGDISABLED', zkCode: -123 });
  });
});

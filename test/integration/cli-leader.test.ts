import { afterAll, describe, expect, it } from 'vitest';
import { ZooKeeper } from '../../src/index.js';
import { LeaderElection } from '../../src/recipes/index.js';
import { until } from '../support/poll.js';
import { cliAndAdmin, CliRun } from './cli-helpers.js';
import { connectString, uniqueRoot } from './helpers.js';

// `zkcoord leader`: the leader of an election at a path, whichever library runs it, and with
// --watch every change. Curator's and kazoo's own candidates come with the interop tests; their
// node names are made here by hand, as those libraries name them.

describe('zkcoord leader', () => {
  const fixture = cliAndAdmin();
  const sessions: ZooKeeper[] = [];

  afterAll(async () => {
    await Promise.all(sessions.map((zk) => zk.close()));
  });

  async function sandbox(): Promise<{
    servers: string;
    session: () => Promise<ZooKeeper>;
  }> {
    const root = uniqueRoot('cli-leader');
    await fixture.admin.create(root);
    const servers = `${connectString()}${root}`;
    return {
      servers,
      session: async () => {
        const zk = await ZooKeeper.connect(servers);
        sessions.push(zk);
        return zk;
      },
    };
  }

  it('names the LeaderElection leader, its node, session and epoch; "no leader" when nobody campaigns', async () => {
    const { servers, session } = await sandbox();
    const run = (args: string[]) =>
      new CliRun(fixture.cli.main, args, { ZKCOORD_CONNECT: servers }).exited;
    expect((await run(['leader', '/e'])).stdout).toBe('no leader\n');

    const zk = await session();
    const leadership = await new LeaderElection(zk, '/e', { id: 'billing-7' }).campaign();
    const text = await run(['leader', '/e']);
    expect(text.code).toBe(0);
    const node = leadership.path.slice('/e/'.length);
    expect(text.stdout).toBe(
      `billing-7  latch ${node} session 0x${zk.sessionId.toString(16)} epoch ${leadership.epoch}\n`,
    );
    const json = await run(['leader', '--json', '/e']);
    expect(JSON.parse(json.stdout)).toMatchObject({
      path: '/e',
      leader: { id: 'billing-7', kind: 'latch', node, epoch: leadership.epoch.toString() },
    });
    await leadership.resign();
  });

  it('reads Curator LeaderSelector (lock-) and kazoo Election (__lock__) queues by their node names', async () => {
    const { servers, session } = await sandbox();
    const zk = await session();
    const run = (args: string[]) =>
      new CliRun(fixture.cli.main, args, { ZKCOORD_CONNECT: servers }).exited;
    await zk.create('/selector');
    await zk.create('/selector/_c_9a1e2b3c-0000-4000-8000-000000000000-lock-', 'selector-1', {
      mode: 'ephemeral-sequential',
    });
    expect((await run(['leader', '/selector'])).stdout).toMatch(/^selector-1 {2}selector _c_/);
    await zk.create('/kazoo');
    await zk.create(`/kazoo/${'f'.repeat(32)}__lock__`, 'kazoo-1', {
      mode: 'ephemeral-sequential',
    });
    expect((await run(['leader', '/kazoo'])).stdout).toMatch(/^kazoo-1 {2}kazoo f{32}__lock__/);
  });

  it('--watch: the leader now, then every change, until SIGTERM (exit 0)', async () => {
    const { servers, session } = await sandbox();
    const [a, b] = await Promise.all([session(), session()]);
    const first = await new LeaderElection(a, '/w', { id: 'a' }).campaign();
    const watching = new CliRun(fixture.cli.main, ['leader', '--watch', '/w'], {
      ZKCOORD_CONNECT: servers,
    });
    await watching.waitFor('a  latch');
    const second = new LeaderElection(b, '/w', { id: 'b' }).campaign();
    await until('b queued', async () => (await a.getChildren('/w')).children.length === 2);
    await first.resign();
    await watching.waitFor('b  latch');
    await (await second).resign();
    await watching.waitFor('no leader');
    watching.process.kill('SIGTERM');
    const exit = await watching.exited;
    expect(exit.code).toBe(0);
    expect(
      exit.stdout
        .trimEnd()
        .split('\n')
        .map((line) => line.split(' ')[0]),
    ).toEqual(['a', 'b', 'no']);
  });
});

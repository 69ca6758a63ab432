import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FaultProxy, ZooKeeperServer } from '../../src/testing/index.js';
import { buildCli, CliRun, isAlive, sh } from '../integration/cli-helpers.js';
import type { BuiltCli } from '../integration/cli-helpers.js';

// `zkcoord lock` processes connect through a FaultProxy; black-holing it suspends their
// connection after 2/3 of the session timeout, which ends the hold (lostOn 'suspended'), so the
// command must be stopped and the exit status must say the work was not protected: 75.

const SESSION = '1500ms';

let cli: BuiltCli;
let server: ZooKeeperServer;
let proxy: FaultProxy;

beforeAll(async () => {
  [cli, server] = await Promise.all([buildCli(), ZooKeeperServer.start({ logLevel: 'warn' })]);
  proxy = await FaultProxy.start({ target: server.connectString });
}, 120_000);

afterEach(() => {
  proxy.pass();
});

afterAll(async () => {
  await proxy.stop();
  await server.stop();
  await cli.remove();
});

function lockThroughProxy(path: string, grace: string, command: string[]): CliRun {
  return new CliRun(cli.main, [
    'lock',
    path,
    ...['--connect', proxy.connectString, '--session-timeout', SESSION, '--grace', grace],
    '--',
    ...command,
  ]);
}

describe('zkcoord lock when the hold is lost', () => {
  it('stops a command that exits 0 on SIGTERM and still exits 75; the lock frees up', async () => {
    const holder = lockThroughProxy(
      '/cli-lost',
      '5s',
      sh('trap "echo got-term; exit 0" TERM; echo held; while :; do sleep 0.05; done'),
    );
    await holder.waitFor('held');
    proxy.blackhole();
    const result = await holder.exited;
    expect(result).toMatchObject({ code: 75, stdout: 'held\ngot-term\n' });
    expect(result.stderr).toMatch(
      /^zkcoord lock: the hold on \/cli-lost\/\S+ can no longer be trusted: the connection to ZooKeeper is suspended; stopping sh/,
    );
    // The lost holder's node goes with its session, so the next process gets the lock.
    proxy.pass();
    const next = await new CliRun(cli.main, [
      'lock',
      '/cli-lost',
      ...['--connect', server.connectString, '--timeout', '10s', '--', 'true'],
    ]).exited;
    expect(next).toMatchObject({ code: 0, stderr: '' });
  });

  it('SIGKILLs a command that ignores SIGTERM after --grace, and exits 75', async () => {
    const holder = lockThroughProxy(
      '/cli-stubborn',
      '700ms',
      sh('trap "" TERM; echo "pid $$"; while :; do sleep 0.05; done'),
    );
    await holder.waitFor('\n');
    const pid = Number(/pid (\d+)/.exec(holder.stdout)?.[1]);
    proxy.blackhole();
    await holder.waitFor('can no longer be trusted');
    const lostAt = performance.now();
    const result = await holder.exited;
    const killedAfter = performance.now() - lostAt;
    expect(result.code).toBe(75);
    expect(result.stderr.split('\n')[0]).toMatch(/SIGKILL in 700 ms/);
    expect(killedAfter).toBeGreaterThanOrEqual(650);
    expect(isAlive(pid)).toBe(false);
  });
});

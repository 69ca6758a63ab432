import { describe, expect, it } from 'vitest';
import { FaultProxy } from '../../src/testing/index.js';
import { until } from '../support/poll.js';
import { cliAndAdmin, CliRun, isAlive } from './cli-helpers.js';
import { connectString, uniqueRoot } from './helpers.js';

const EVENT_LINE = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z (\S+) +(\S+)(.*)$/;

/** `[type, path]` of each human event line. */
function events(stdout: string): string[][] {
  return stdout
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => {
      const match = EVENT_LINE.exec(line);
      if (match === null) throw new Error(`not an event line: ${line}`);
      return [match[1]!, match[2]!];
    });
}

/** How long a watch may take to print what the test caused. */
const PRINTED = { timeoutMs: 15_000 } as const;

describe('zkcoord watch', () => {
  const fixture = cliAndAdmin();

  /** A watch running in a fresh chroot, once it reports the watch is set. */
  async function startWatch(
    args: readonly string[],
    servers = connectString(),
  ): Promise<{ root: string; watch: CliRun }> {
    const root = uniqueRoot('cli-watch');
    await fixture.admin.create(root);
    const watch = new CliRun(fixture.cli.main, ['watch', ...args], {
      ZKCOORD_CONNECT: `${servers}${root}`,
    });
    await watch.waitFor('Ctrl-C to stop');
    return { root, watch };
  }

  it('-R prints one line per event below the path until SIGINT, then exits 0', async () => {
    const { root, watch } = await startWatch(['-R', '/w']);
    await fixture.admin.create(`${root}/w`);
    await fixture.admin.create(`${root}/w/a`, 'x');
    await fixture.admin.setData(`${root}/w/a`, 'y');
    await fixture.admin.delete(`${root}/w/a`);
    await until('four events', () => events(watch.stdout).length === 4, PRINTED);
    watch.process.kill('SIGINT');
    const end = await watch.exited;
    expect(end).toMatchObject({ code: 0, signal: null });
    expect(end.stderr).toBe('zkcoord watch: watching /w and below; Ctrl-C to stop\n');
    expect(events(end.stdout)).toEqual([
      ['nodeCreated', '/w'],
      ['nodeCreated', '/w/a'],
      ['nodeDataChanged', '/w/a'],
      ['nodeDeleted', '/w/a'],
    ]);
    expect(isAlive(watch.process.pid!)).toBe(false);
  });

  it('--json prints one object per line; without -R the node only; SIGTERM exits 0', async () => {
    const { root, watch } = await startWatch(['--json', '/w']);
    await fixture.admin.create(`${root}/w`);
    await fixture.admin.create(`${root}/w/child`);
    await fixture.admin.setData(`${root}/w/child`, 'not watched');
    await fixture.admin.setData(`${root}/w`, 'watched');
    await until('three events', () => watch.stdout.split('\n').length === 4, PRINTED);
    watch.process.kill('SIGTERM');
    const end = await watch.exited;
    expect(end.code).toBe(0);
    const lines = end.stdout
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, string>);
    expect(lines.map(({ type, path }) => [type, path])).toEqual([
      ['nodeCreated', '/w'],
      ['nodeChildrenChanged', '/w'],
      ['nodeDataChanged', '/w'],
    ]);
    for (const line of lines) {
      expect(Object.keys(line).filter((key) => key !== 'zxid')).toEqual(['time', 'type', 'path']);
      expect(new Date(line.time!).toISOString()).toBe(line.time);
      // Servers from 3.9 send the zxid of the change; older ones do not.
      if ('zxid' in line) expect(line.zxid).toMatch(/^[1-9]\d*$/);
    }
  });

  it('says so when the connection comes back (events meanwhile not replayed), and goes on', async () => {
    await using proxy = await FaultProxy.start({ target: connectString() });
    const { root, watch } = await startWatch(['-R', '/w'], proxy.connectString);
    proxy.reset();
    await watch.waitFor('watchResumed');
    expect(watch.stdout).toMatch(
      /Z watchResumed +\/w {2}\(reconnected; changes made while disconnected were not replayed\)\n$/,
    );
    await fixture.admin.create(`${root}/w`);
    await watch.waitFor('nodeCreated');
    watch.process.kill('SIGINT');
    const end = await watch.exited;
    expect(end.code).toBe(0);
    expect(end.stderr).toContain('zkcoord watch: connection lost; reconnecting\n');
  });

  it('exits 69 when the session is lost: a new session would not have the watch', async () => {
    await using proxy = await FaultProxy.start({ target: connectString() });
    const { watch } = await startWatch(['--session-timeout', '1s', '/w'], proxy.connectString);
    proxy.blackhole();
    const end = await watch.exited;
    expect(end).toMatchObject({ code: 69, stdout: '' });
    expect(end.stderr.split('\n').at(-2)).toMatch(/^zkcoord watch: ZooKeeper unavailable: /);
  });
});

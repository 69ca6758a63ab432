import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NoNodeError, ZooKeeper } from '../../src/index.js';
import { freePort } from '../../src/testing/index.js';
import { until } from '../support/poll.js';
import { buildCli, CliRun, expectUsageError, sh } from './cli-helpers.js';
import type { BuiltCli, CliExit } from './cli-helpers.js';
import { connectString, uniqueRoot } from './helpers.js';

// The CLI runs as real processes against the shared server: a lock path per test keeps them apart.
describe('zkcoord lock', () => {
  let cli: BuiltCli;
  let admin: ZooKeeper;
  let scratch: string;

  beforeAll(async () => {
    [cli, admin, scratch] = await Promise.all([
      buildCli(),
      ZooKeeper.connect(connectString()),
      mkdtemp(join(tmpdir(), 'zkcoord-cli-lock-')),
    ]);
  }, 60_000);

  afterAll(async () => {
    await admin.close();
    await cli.remove();
    await rm(scratch, { recursive: true, force: true });
  });

  const lock = (args: readonly string[], env: NodeJS.ProcessEnv = {}): CliRun =>
    new CliRun(cli.main, ['lock', ...args], env);
  const run = (args: readonly string[], env?: NodeJS.ProcessEnv): Promise<CliExit> =>
    lock(args, env).exited;

  /** Contenders queued on a lock path (none once the path is gone: it is a container). */
  async function queued(path: string): Promise<number> {
    try {
      return (await admin.getChildren(path)).children.length;
    } catch (error) {
      if (error instanceof NoNodeError) return 0;
      throw error;
    }
  }

  it('passes the fencing token and node to the command, exits with its status, and releases', async () => {
    const root = uniqueRoot('cli');
    await admin.create(root);
    const result = await run(
      ['/job', '--', ...sh('echo "$ZKCOORD_FENCING_TOKEN $ZKCOORD_LOCK_NODE"; exit 3')],
      { ZKCOORD_CONNECT: `${connectString()}${root}` },
    );
    expect(result).toMatchObject({ code: 3, stderr: '' });
    const [token, node] = result.stdout.trim().split(' ');
    expect(token).toMatch(/^[1-9]\d*$/);
    // Relative to the chroot, as the command's own client would see it.
    expect(node).toMatch(/^\/job\/_c_[0-9a-f-]{36}-lock-\d{10}$/);
    expect(await queued(`${root}/job`)).toBe(0);
  });

  it('exits 0 for a command that succeeds and 128+N for one killed by signal N', async () => {
    const path = uniqueRoot('cli');
    const [ok, killed] = await Promise.all([
      run([path, '--connect', connectString(), '--', 'true']),
      run([path, '--connect', connectString(), '--', ...sh('kill -KILL $$')]),
    ]);
    expect(ok).toMatchObject({ code: 0, stdout: '', stderr: '' });
    expect(killed).toMatchObject({ code: 137, stdout: '', stderr: '' });
  });

  it('rejects bad command lines with exit 64, one line and a usage hint, without connecting', async () => {
    const closed = `127.0.0.1:${await freePort()}`;
    const cases: [string[], RegExp][] = [
      [[], /missing the lock path/],
      [['/x', '--connect', closed], /missing the command/],
      [['/x', '--connect', closed, '--bogus', '--', 'true'], /unknown option --bogus/],
      [['/x', '--connect', closed, '--read', '--semaphore', '2', '--', 'true'], /exclude/],
      [['/x', '--connect', closed, '--timeout', '3h', '--', 'true'], /--timeout takes a duration/],
      [['/x', '--connect', closed, '--no-wait', '--timeout', '1s', '--', 'true'], /exclude/],
      [['x', '--connect', closed, '--', 'true'], /must start with \//],
      [['/x', '--', 'true'], /missing --connect/],
    ];
    const results = await Promise.all(cases.map(([args]) => run(args)));
    results.forEach((result, i) => {
      expectUsageError(result, cases[i]![1], /^usage: zkcoord lock /);
      expect(result.stderr).toMatch(/^zkcoord lock: /);
    });
    const help = await run(['--help']);
    expect(help).toMatchObject({ code: 0, stderr: '' });
    expect(help.stdout).toMatch(/^Usage: zkcoord lock <path>/);
  });

  it('exits 69 with one line when no server answers', async () => {
    const closed = `127.0.0.1:${await freePort()}`;
    const result = await run([
      '/x',
      '--connect',
      closed,
      '--session-timeout',
      '500ms',
      '--',
      'true',
    ]);
    expect(result).toMatchObject({ code: 69, stdout: '' });
    expect(result.stderr).toMatch(/^zkcoord lock: ZooKeeper unavailable: .*\n$/);
  });

  it('exits 76 when held elsewhere (--no-wait, --timeout), 130 on SIGINT while waiting, and forwards SIGTERM to the command', async () => {
    const path = uniqueRoot('cli');
    const connect = ['--connect', connectString()];
    const holder = lock([
      path,
      ...connect,
      '--',
      ...sh('trap "echo got-term; exit 7" TERM; echo held; while :; do sleep 0.05; done'),
    ]);
    await holder.waitFor('held');
    const [noWait, timedOut] = await Promise.all([
      run([path, ...connect, '--no-wait', '--', 'echo', 'ran']),
      run([path, ...connect, '--timeout', '200ms', '--', 'echo', 'ran']),
    ]);
    expect(noWait).toMatchObject({ code: 76, stdout: '' });
    expect(noWait.stderr).toMatch(/^zkcoord lock: not acquired: .*--no-wait.*\n$/);
    expect(timedOut).toMatchObject({ code: 76, stdout: '' });
    expect(timedOut.stderr).toMatch(/^zkcoord lock: not acquired: timed out after 200 ms.*\n$/);

    const waiter = lock([path, ...connect, '--', 'echo', 'ran']);
    await until('the waiter to queue', async () => (await queued(path)) === 2, {
      timeoutMs: 10_000,
    });
    waiter.process.kill('SIGINT');
    expect(await waiter.exited).toMatchObject({ code: 130, stdout: '', stderr: '' });
    expect(await queued(path)).toBe(1);

    holder.process.kill('SIGTERM');
    expect(await holder.exited).toMatchObject({ code: 7, stdout: 'held\ngot-term\n', stderr: '' });
    expect(await queued(path)).toBe(0);
  });

  it('never lets two processes hold one path at once; tokens grow from holder to holder', async () => {
    const path = uniqueRoot('cli');
    const log = join(scratch, 'overlap.log');
    const script =
      'echo "start $1 $ZKCOORD_FENCING_TOKEN" >> "$2"; sleep 0.2; echo "end $1" >> "$2"';
    const results = await Promise.all(
      ['a', 'b', 'c'].map((name) =>
        run([path, '--connect', connectString(), '--', ...sh(script, name, log)]),
      ),
    );
    expect(results.map((result) => result.code)).toEqual([0, 0, 0]);
    const lines = (await readFile(log, 'utf8')).trimEnd().split('\n');
    expect(lines).toHaveLength(6);
    const tokens: bigint[] = [];
    for (let i = 0; i < lines.length; i += 2) {
      const [, name, token] = lines[i]!.split(' ');
      expect(lines[i + 1]).toBe(`end ${name!}`);
      tokens.push(BigInt(token!));
    }
    expect([...tokens].sort((x, y) => (x < y ? -1 : 1))).toEqual(tokens);
  });

  /** A holder that prints `held` and stays until SIGTERM; resolves once it holds. */
  async function holdUntilTerm(args: readonly string[]): Promise<CliRun> {
    const holder = lock([
      ...args,
      '--',
      ...sh('trap "exit 0" TERM; echo held; while :; do sleep 0.05; done'),
    ]);
    await holder.waitFor('held');
    return holder;
  }

  async function stop(holders: CliRun[]): Promise<(number | null)[]> {
    for (const holder of holders) holder.process.kill('SIGTERM');
    return (await Promise.all(holders.map((holder) => holder.exited))).map((end) => end.code);
  }

  it('--read shares the lock with readers and keeps writers out; --write takes it when free', async () => {
    const path = uniqueRoot('cli');
    const connect = ['--connect', connectString()];
    const reader = await holdUntilTerm([path, ...connect, '--read']);
    // One after the other: a writer queued ahead of the second reader would rightly turn it away.
    const otherReader = await run([path, ...connect, '--read', '--no-wait', '--', 'true']);
    const writer = await run([path, ...connect, '--write', '--no-wait', '--', 'true']);
    expect([otherReader.code, writer.code]).toEqual([0, 76]);
    expect(await stop([reader])).toEqual([0]);
    expect(await run([path, ...connect, '--write', '--no-wait', '--', 'true'])).toMatchObject({
      code: 0,
      stderr: '',
    });
  });

  it('--semaphore N lets N processes hold at once and no more', async () => {
    const path = uniqueRoot('cli');
    const args = [path, '--connect', connectString(), '--semaphore', '2', '--no-wait'];
    const holders = [await holdUntilTerm(args), await holdUntilTerm(args)];
    expect(await run([...args, '--', 'true'])).toMatchObject({ code: 76, stdout: '' });
    expect(await stop(holders)).toEqual([0, 0]);
  });

  it('exits 127 with one line when the command cannot be found, and releases the lock', async () => {
    const path = uniqueRoot('cli');
    const result = await run([path, '--connect', connectString(), '--', 'zkcoord-no-such-cmd']);
    expect(result).toMatchObject({ code: 127, stdout: '' });
    expect(result.stderr).toBe('zkcoord lock: cannot run zkcoord-no-such-cmd: command not found\n');
    expect(await queued(path)).toBe(0);
  });
});

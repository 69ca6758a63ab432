import { execFileSync } from 'node:child_process';
import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { cliAndAdmin, CliRun } from './cli-helpers.js';
import { connectString } from './helpers.js';

// `zkcoord demo` end to end: the README's first command. Against the shared server for the full
// run (no JVM to start), and with its own local server for Ctrl-C, which must leave nothing behind.

function refuses(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => {
      resolve(true);
    });
  });
}

function processesMatching(pattern: string): string[] {
  try {
    return execFileSync('pgrep', ['-f', pattern], { encoding: 'utf8' }).trim().split('\n');
  } catch {
    return []; // pgrep exits 1 when nothing matches
  }
}

describe('zkcoord demo', () => {
  const fixture = cliAndAdmin();

  it('runs contention, kills the holder, sees the takeover, checks the result and cleans up', async () => {
    const args = ['demo', '--connect', connectString(), '--workers', '3'];
    const run = new CliRun(fixture.cli.main, [
      ...args,
      '--contend',
      '1500ms',
      '--session-timeout',
      '2s',
    ]);
    const exit = await run.exited;
    expect(exit.stderr).toBe('');
    expect(exit.code).toBe(0);
    expect(exit.stdout).toMatch(/killed worker-\d .* with SIGKILL while it held the lock/);
    expect(exit.stdout).toMatch(/worker-\d took the lock [\d.]+ s after worker-\d was killed/);
    expect(exit.stdout).toContain('only grew');
    expect(exit.stdout).toContain('no update lost');
    // Against someone else's servers it leaves nothing behind.
    const { children } = await fixture.admin.getChildren('/');
    expect(children.filter((name) => name.startsWith('zkcoord-demo-'))).toEqual([]);
  }, 60_000);

  it('refuses bad options with exit 64', async () => {
    const exit = await new CliRun(fixture.cli.main, ['demo', '--workers', '1']).exited;
    expect(exit.code).toBe(64);
    expect(exit.stderr).toContain('--workers must be an integer from 2 to 50');
  });

  it('Ctrl-C stops the workers and its local server, exit 130', async () => {
    const run = new CliRun(fixture.cli.main, ['demo', '--workers', '2']);
    await run.waitFor(' holds ', 60_000);
    const port = Number(/is up on 127\.0\.0\.1:(\d+)/.exec(run.stdout)?.[1]);
    expect(port).toBeGreaterThan(0);
    run.process.kill('SIGINT');
    const exit = await run.exited;
    expect(exit.code).toBe(130);
    expect(exit.stdout).toContain('ZooKeeper stopped.');
    expect(await refuses(port)).toBe(true);
    expect(processesMatching(`demo-worker 127.0.0.1:${port}`)).toEqual([]);
  }, 90_000);
});

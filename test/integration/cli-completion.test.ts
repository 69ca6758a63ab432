import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCli, CliRun } from './cli-helpers.js';
import type { BuiltCli } from './cli-helpers.js';

const run = promisify(execFile);

describe('zkcoord completion', () => {
  let cli: BuiltCli;
  let dir: string;
  let script: string;

  beforeAll(async () => {
    [cli, dir] = await Promise.all([buildCli(), mkdtemp(join(tmpdir(), 'zkcoord-completion-'))]);
    const exit = await new CliRun(cli.main, ['completion', 'bash']).exited;
    expect(exit).toMatchObject({ code: 0, stderr: '' });
    script = join(dir, 'zkcoord.bash');
    await writeFile(script, exit.stdout);
  }, 60_000);

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
    await cli.remove();
  });

  /** What the bash function offers for a command line whose last word is being typed. */
  async function complete(...words: string[]): Promise<string[]> {
    const quoted = ['zkcoord', ...words].map((word) => `'${word}'`).join(' ');
    const { stdout } = await run('bash', [
      '-c',
      `source "$1"; COMP_WORDS=(${quoted}); COMP_CWORD=${words.length}; _zkcoord; printf '%s\\n' "\${COMPREPLY[@]}"`,
      'bash',
      script,
    ]);
    return stdout.split('\n').filter((line) => line !== '');
  }

  it('bash: the script parses (bash -n) and completes commands, options and option values', async () => {
    await run('bash', ['-n', script]);
    expect(await complete('lo')).toEqual(['lock', 'locks']);
    expect(await complete('lea')).toEqual(['leader']);
    expect(await complete('leader', '--w')).toEqual(['--watch']);
    expect(await complete('s')).toEqual(['server', 'set', 'stat', 'sync']);
    expect(await complete('locks', '--k')).toEqual(['--kind']);
    expect(await complete('locks', '--kind', '')).toEqual(['mutex', 'read-write', 'semaphore']);
    expect(await complete('get', '--tls')).toEqual([
      '--tls-ca',
      '--tls-cert',
      '--tls-key',
      '--tls',
    ]);
    expect(await complete('acl', '')).toEqual(['get', 'set']);
    expect(await complete('acl', 'set', '--v')).toEqual(['--version']);
    expect(await complete('lock', '/l', '--sem')).toEqual(['--semaphore']);
    expect(await complete('server', '--ensemble', '')).toEqual(['3', '5']);
    expect(await complete('completion', '')).toEqual(['bash', 'zsh']);
  });

  it('zsh: a #compdef script for the same commands; anything else is a usage error', async () => {
    const zsh = await new CliRun(cli.main, ['completion', 'zsh']).exited;
    expect(zsh.code).toBe(0);
    expect(zsh.stdout.startsWith('#compdef zkcoord\n')).toBe(true);
    expect(zsh.stdout).toContain('--kind) compadd -- mutex read-write semaphore');
    expect(zsh.stdout).toContain('compdef _zkcoord zkcoord');
    const fish = await new CliRun(cli.main, ['completion', 'fish']).exited;
    expect(fish).toMatchObject({ code: 64, stdout: '' });
    expect(fish.stderr).toContain('usage: zkcoord completion bash|zsh');
  });
});

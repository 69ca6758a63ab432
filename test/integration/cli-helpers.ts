import { execFile, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect } from 'vitest';
import { ZooKeeper } from '../../src/index.js';
import { until } from '../support/poll.js';
import { connectString } from './helpers.js';

const REPO = fileURLToPath(new URL('../..', import.meta.url));

/**
 * The CLI compiled into a temp directory with the project's own tsc (no type check: that is a
 * separate step), so CLI tests run what users get from dist/ without depending on a prior build.
 */
export interface BuiltCli {
  /** The compiled `cli/main.js`. */
  readonly main: string;
  remove(): Promise<void>;
}

export async function buildCli(): Promise<BuiltCli> {
  const outDir = await mkdtemp(join(tmpdir(), 'zkcoord-cli-build-'));
  const tsc = join(createRequire(import.meta.url).resolve('typescript/package.json'), '../bin/tsc');
  await promisify(execFile)(
    process.execPath,
    [
      tsc,
      join(REPO, 'src/cli/main.ts'),
      ...['--ignoreConfig', '--noCheck', '--skipLibCheck', '--types', 'node'],
      ...['--module', 'nodenext', '--moduleResolution', 'nodenext', '--target', 'es2022'],
      ...['--rootDir', join(REPO, 'src'), '--outDir', outDir],
    ],
    { cwd: REPO },
  );
  await writeFile(join(outDir, 'package.json'), '{"type":"module"}\n');
  return {
    main: join(outDir, 'cli/main.js'),
    remove: () => rm(outDir, { recursive: true, force: true }),
  };
}

/** What `cliAndAdmin` gives a describe block: read its fields in tests, once beforeAll has run. */
export interface CliAndAdmin {
  readonly cli: BuiltCli;
  /** A client of the shared server, to set up and check what the commands did. */
  readonly admin: ZooKeeper;
}

/**
 * For the enclosing describe: the CLI built once and an admin client, both gone after its last
 * test (after the describe's own afterAll hooks, which run first).
 */
export function cliAndAdmin(): CliAndAdmin {
  let cli: BuiltCli | undefined;
  let admin: ZooKeeper | undefined;
  beforeAll(async () => {
    [cli, admin] = await Promise.all([buildCli(), ZooKeeper.connect(connectString())]);
  }, 60_000);
  afterAll(async () => {
    await admin?.close();
    await cli?.remove();
  });
  const ready = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('cliAndAdmin: read in a test, after beforeAll');
    return value;
  };
  return {
    get cli() {
      return ready(cli);
    },
    get admin() {
      return ready(admin);
    },
  };
}

export interface CliExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * A refused command line: exit 64, nothing on stdout, and exactly two lines on stderr, what was
 * wrong (`message`) and then the usage line (`usage`).
 */
export function expectUsageError(result: CliExit, message: RegExp, usage: RegExp): void {
  const lines = result.stderr.trimEnd().split('\n');
  expect({ code: result.code, stdout: result.stdout, lines: lines.length }).toEqual({
    code: 64,
    stdout: '',
    lines: 2,
  });
  expect(lines[0]).toMatch(message);
  expect(lines[1]).toMatch(usage);
}

/** One running `zkcoord` process, its output collected as it comes. */
export class CliRun {
  readonly process: ChildProcess;
  readonly exited: Promise<CliExit>;
  stdout = '';
  stderr = '';

  /** `input`, when given, is the process's whole stdin; otherwise stdin is /dev/null. */
  constructor(
    main: string,
    args: readonly string[],
    env: NodeJS.ProcessEnv = {},
    input?: string | Uint8Array,
  ) {
    // ZKCOORD_CONNECT from the environment running the tests must not leak into a test's run.
    const inherited = { ...process.env };
    delete inherited.ZKCOORD_CONNECT;
    this.process = spawn(process.execPath, [main, ...args], {
      stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
      env: { ...inherited, ...env },
    });
    this.process.stdin?.end(input);
    this.process.stdout?.on('data', (chunk: Buffer) => (this.stdout += chunk.toString()));
    this.process.stderr?.on('data', (chunk: Buffer) => (this.stderr += chunk.toString()));
    this.exited = new Promise((resolve) => {
      // 'close', not 'exit': by then every byte of output has been read.
      this.process.once('close', (code, signal) => {
        resolve({ code, signal, stdout: this.stdout, stderr: this.stderr });
      });
    });
  }

  /** Waits (bounded) until `text` shows up on stdout or stderr; fails with what did. */
  async waitFor(text: string, timeoutMs = 15_000): Promise<void> {
    await until(
      () => `${text}, printed: ${this.stdout}${this.stderr}`,
      () => {
        if (this.stdout.includes(text) || this.stderr.includes(text)) return true;
        if (this.process.exitCode !== null || this.process.signalCode !== null) {
          throw new Error(`zkcoord exited before printing ${text}: ${this.stdout}${this.stderr}`);
        }
        return false;
      },
      { timeoutMs },
    );
  }
}

/** `sh -c script` as a command line, `$0` set to `sh` so positional arguments start at `$1`. */
export function sh(script: string, ...args: string[]): string[] {
  return ['sh', '-c', script, 'sh', ...args];
}

/** True while a process with this pid exists. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

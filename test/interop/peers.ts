import { execFile, spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { access, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { within } from '../support/poll.js';
import type { Hold } from './holds.js';
import { parseHolds } from './holds.js';

const run = promisify(execFile);
const PEERS_DIR = join(dirname(fileURLToPath(import.meta.url)), 'peers');

/** Debian's python: python3-kazoo is installed for it, not for a pyenv or venv python. */
const DEBIAN_PYTHON = '/usr/bin/python3';
const INSTALL_HINT =
  'install them with `sudo bash scripts/install-peers.sh` ' +
  '(apt-get install -y --no-install-recommends libcurator-recipes-java python3-kazoo)';

export type Found<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly reason: string };

export interface CuratorInstall {
  readonly java: string;
  readonly javac: string;
  /** curator-recipes.jar; its manifest's Class-Path pulls in framework, client, ZooKeeper, guava. */
  readonly recipesJar: string;
  /** An slf4j binding, so Curator's warnings reach stderr; absent, slf4j prints one NOP notice. */
  readonly slf4jBinding: string | undefined;
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

/** A jar shipped by a Debian package, found as /work/shared/peers/lib/jars.sh does: `dpkg -L`. */
async function debianJar(pkg: string, base: string): Promise<string | undefined> {
  try {
    const { stdout } = await run('dpkg', ['-L', pkg]);
    const path = stdout
      .split('\n')
      .find((line) => line.endsWith(`/${base}`) && !line.includes('/maven-repo/'));
    return path !== undefined && (await exists(path)) ? path : undefined;
  } catch {
    return undefined;
  }
}

/** `$JAVA_HOME/bin/<tool>`, else `<tool>` on PATH; undefined when it cannot run. */
async function javaTool(tool: 'java' | 'javac'): Promise<string | undefined> {
  const javaHome = process.env.JAVA_HOME;
  const command = javaHome !== undefined && javaHome !== '' ? join(javaHome, 'bin', tool) : tool;
  try {
    await run(command, ['-version']);
    return command;
  } catch {
    return undefined;
  }
}

export async function findCurator(): Promise<Found<CuratorInstall>> {
  const [java, javac, recipesJar, slf4jBinding] = await Promise.all([
    javaTool('java'),
    javaTool('javac'),
    debianJar('libcurator-recipes-java', 'curator-recipes.jar'),
    debianJar('libslf4j-java', 'slf4j-simple.jar'),
  ]);
  if (recipesJar === undefined) {
    return {
      ok: false,
      reason: `Curator (Debian's libcurator-recipes-java) is missing: ${INSTALL_HINT}`,
    };
  }
  if (java === undefined || javac === undefined) {
    return { ok: false, reason: `a JDK (java and javac) is missing: ${INSTALL_HINT}` };
  }
  return { ok: true, value: { java, javac, recipesJar, slf4jBinding } };
}

export async function findKazoo(): Promise<Found<{ readonly python: string }>> {
  try {
    await run(DEBIAN_PYTHON, ['-c', 'import kazoo.recipe.lock'], { env: peerEnv() });
    return { ok: true, value: { python: DEBIAN_PYTHON } };
  } catch {
    return {
      ok: false,
      reason: `kazoo (Debian's python3-kazoo for ${DEBIAN_PYTHON}) is missing: ${INSTALL_HINT}`,
    };
  }
}

/** Whatever points the shell's python elsewhere (pyenv, a venv) must not reach Debian's. */
function peerEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.PYTHONPATH;
  delete env.PYTHONHOME;
  delete env.VIRTUAL_ENV;
  return env;
}

/**
 * Missing peers skip the tests with the reason, except under CI (`CI` set), where `.ci/run`
 * has installed them: there a missing peer must fail, or the interop guarantee would pass unseen.
 */
export function skipWithoutPeers(found: readonly Found<unknown>[], suite: string): boolean {
  const reasons = found.flatMap((f) => (f.ok ? [] : [f.reason]));
  if (reasons.length === 0 || isCi()) return false;
  console.warn(`${suite}: skipped, ${reasons.join('; ')}`);
  return true;
}

function isCi(): boolean {
  const ci = process.env.CI;
  return ci !== undefined && ci !== '' && ci !== '0' && ci !== 'false';
}

/** The value, or an error naming what is missing (in CI, where the tests were not skipped). */
export function required<T>(found: Found<T>): T {
  if (!found.ok) throw new Error(`interop peer missing under CI: ${found.reason}`);
  return found.value;
}

/** What the tests run: the compiled Curator peer, kazoo's python, and the files they write. */
export class Peers {
  private readonly running = new Set<Peer>();
  private outputs = 0;

  private constructor(
    readonly workDir: string,
    private readonly curator: { install: CuratorInstall; classes: string } | undefined,
    private readonly python: string | undefined,
  ) {}

  /** Compiles CuratorLocker.java (when Curator is wanted) into a fresh temp directory. */
  static async prepare(options: {
    curator?: CuratorInstall;
    kazoo?: { readonly python: string };
  }): Promise<Peers> {
    const workDir = await mkdtemp(join(tmpdir(), 'zkcoord-interop-'));
    let curator;
    if (options.curator !== undefined) {
      const classes = join(workDir, 'classes');
      await run(options.curator.javac, [
        ...['-nowarn', '-cp', options.curator.recipesJar, '-d', classes],
        join(PEERS_DIR, 'CuratorLocker.java'),
      ]);
      curator = { install: options.curator, classes };
    }
    return new Peers(workDir, curator, options.kazoo?.python);
  }

  /** Starts a Curator contender; it connects, prints ready and waits for `go()`. */
  curatorLocker(args: LockerArgs): Peer {
    if (this.curator === undefined) throw new Error('Peers prepared without Curator');
    const { install, classes } = this.curator;
    const classpath = [classes, install.recipesJar, install.slf4jBinding].filter(
      (entry) => entry !== undefined,
    );
    // Small, quick-starting JVMs: the machine has two cores and runs a ZooKeeper JVM too.
    const jvm = ['-Xmx64m', '-XX:+UseSerialGC', '-XX:TieredStopAtLevel=1', '-Xshare:auto'];
    const logging = ['-Dorg.slf4j.simpleLogger.defaultLogLevel=warn'];
    const command = [...jvm, ...logging, '-cp', classpath.join(delimiter), 'CuratorLocker'];
    return this.start('curator', install.java, command, args);
  }

  /** Starts a kazoo contender (mode `mutex` or `curator-names`, see kazoo_locker.py). */
  kazooLocker(args: LockerArgs): Peer {
    if (this.python === undefined) throw new Error('Peers prepared without kazoo');
    return this.start('kazoo', this.python, [join(PEERS_DIR, 'kazoo_locker.py')], args);
  }

  private start(label: string, command: string, prefix: string[], args: LockerArgs): Peer {
    const outFile = join(this.workDir, `holds-${++this.outputs}.jsonl`);
    const { connect, lockPath, mode, iterations, counterPath, holdMs } = args;
    const argv = [...prefix, connect, lockPath, mode, String(iterations), counterPath, outFile];
    if (holdMs !== undefined) argv.push(String(holdMs));
    const spawnedAt = process.hrtime.bigint();
    const child = spawn(command, argv, { stdio: ['pipe', 'pipe', 'pipe'], env: peerEnv() });
    const peer = new Peer(label, child, outFile, spawnedAt);
    this.running.add(peer);
    void peer.exited.finally(() => this.running.delete(peer));
    return peer;
  }

  /** Kills what still runs (a failed test) and removes the classes and outputs. */
  async dispose(): Promise<void> {
    await Promise.all([...this.running].map((peer) => peer.kill()));
    await rm(this.workDir, { recursive: true, force: true });
  }
}

export interface LockerArgs {
  readonly connect: string;
  readonly lockPath: string;
  readonly mode: 'mutex' | 'read' | 'write' | 'curator-names';
  readonly iterations: number;
  readonly counterPath: string;
  /** Fixed hold time; default 1-5 ms at random. */
  readonly holdMs?: number;
}

/** Bound on each wait for a peer, JVM start-up included, so a stuck peer fails the test clearly. */
const PEER_WAIT_MS = 60_000;

/** One peer process: waits on its stdout lines, its exit, and its recorded holds. */
export class Peer {
  /** CLOCK_MONOTONIC (ns) once it exited and its output was read: every hold came before. */
  exitedAt: bigint | undefined;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private readonly lines: string[] = [];
  private readonly waiters = new Set<() => void>();
  private stderr = '';

  constructor(
    readonly label: string,
    private readonly child: ChildProcessWithoutNullStreams,
    private readonly outFile: string,
    /** CLOCK_MONOTONIC (ns) just before the spawn: every hold it records must come after. */
    readonly spawnedAt: bigint,
  ) {
    createInterface({ input: child.stdout }).on('line', (line) => {
      this.lines.push(line);
      for (const wake of this.waiters) wake();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      this.stderr = (this.stderr + chunk.toString()).slice(-4000);
    });
    // A peer that dies early must not kill the test run with an EPIPE on its stdin.
    child.stdin.on('error', () => undefined);
    this.exited = new Promise((resolve) => {
      // 'close', not 'exit': by then stdout is drained, so no line arrives after we gave up on it.
      child.on('close', (code, signal) => {
        this.exitedAt = process.hrtime.bigint();
        resolve({ code, signal });
        for (const wake of this.waiters) wake();
      });
      child.on('error', (error) => {
        this.stderr += `\nspawn failed: ${error.message}`;
        resolve({ code: null, signal: null });
      });
    });
  }

  /** Resolves once the peer has connected and waits at the start barrier. */
  async ready(): Promise<void> {
    await this.waitFor(() => (this.lines.includes('ready') ? 'ready' : undefined), 'ready');
  }

  /** Lets it start contending. */
  go(): void {
    this.child.stdin.write('go\n');
  }

  /** The node of its `n`-th acquisition (1-based), once it has it. */
  async acquired(n = 1): Promise<string> {
    const prefix = 'acquired ';
    return this.waitFor(
      () => this.lines.filter((line) => line.startsWith(prefix))[n - 1]?.slice(prefix.length),
      `acquisition ${n}`,
    );
  }

  /** Waits for a clean exit and returns what it recorded; a failure carries its stderr. */
  async finished(): Promise<Hold[]> {
    const { code, signal } = await this.bounded(this.exited, 'exit');
    if (code !== 0) {
      throw new Error(`${this.describe()} exited with ${code ?? signal}:\n${this.stderr}`);
    }
    return parseHolds(await readFile(this.outFile, 'utf8'));
  }

  async kill(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
    await this.exited;
  }

  private describe(): string {
    return `${this.label} peer (pid ${this.child.pid ?? '?'})`;
  }

  /** Waits until `seen` finds what we wait for in the lines so far (checked at each new line). */
  private async waitFor(seen: () => string | undefined, what: string): Promise<string> {
    let wake: (() => void) | undefined;
    const found = new Promise<string>((resolve, reject) => {
      wake = () => {
        const value = seen();
        if (value !== undefined) resolve(value);
        else if (this.exitedAt !== undefined)
          reject(new Error(`${this.describe()} exited before ${what}:\n${this.stderr}`));
      };
      this.waiters.add(wake);
      wake();
    });
    try {
      return await this.bounded(found, what);
    } finally {
      if (wake !== undefined) this.waiters.delete(wake);
    }
  }

  private bounded<T>(promise: Promise<T>, what: string): Promise<T> {
    return within(() => `${what} of ${this.describe()}:\n${this.stderr}`, promise, PEER_WAIT_MS);
  }
}

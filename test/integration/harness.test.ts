import { execFile, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  findZooKeeper,
  FourLetterWordError,
  FourLetterWordTimeoutError,
  fourLetterWord,
  ZooKeeperNotFoundError,
  ZooKeeperServer,
  ZooKeeperStartError,
} from '../../src/testing/index.js';
import { connectString, uniqueRoot } from './helpers.js';

const REPO = fileURLToPath(new URL('../..', import.meta.url));

function hostAndPort(connect: string): [string, number] {
  const [host, port] = connect.split(':');
  return [host!, Number(port)];
}

describe('the shared server from global-setup', () => {
  it('answers ruok and reports standalone mode', async () => {
    const [host, port] = hostAndPort(connectString());
    expect(host).toBe('127.0.0.1');
    expect(await fourLetterWord(host, port, 'ruok')).toBe('imok');
    expect(await fourLetterWord(host, port, 'srvr')).toMatch(/^Mode: standalone$/m);
  });

  it('gives each caller of uniqueRoot a distinct single-segment path', () => {
    const roots = new Set(Array.from({ length: 100 }, () => uniqueRoot()));
    expect(roots.size).toBe(100);
    for (const root of roots) expect(root).toMatch(/^\/t-[0-9a-f]{12}$/);
    expect(uniqueRoot('lock')).toMatch(/^\/lock-/);
    expect(() => uniqueRoot('a/b')).toThrow(RangeError);
  });
});

describe('ZooKeeperServer lifecycle', () => {
  let server: ZooKeeperServer;

  beforeAll(async () => {
    server = await ZooKeeperServer.start();
  });
  afterAll(async () => {
    await server.stop();
  });

  it('kill() drops the process group; the port refuses connections', async () => {
    const pid = server.pid;
    await server.kill();
    expect(server.isRunning()).toBe(false);
    expect(isAlive(pid)).toBe(false);
    const refused = await server.fourLetterWord('ruok').catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(FourLetterWordError);
    expect((refused as FourLetterWordError).cause).toMatchObject({ code: 'ECONNREFUSED' });
  });

  it('restart() serves again on the same port with the same data', async () => {
    const port = server.port;
    await server.restart();
    expect(server.port).toBe(port);
    expect(await fourLetterWord('127.0.0.1', port, 'ruok')).toBe('imok');
    expect(await readdir(server.dataDir)).toContain('version-2');
    const conf = await server.fourLetterWord('conf');
    expect(conf).toContain(`dataDir=${server.dataDir}`);
  });

  it('pause() makes it unresponsive and resume() brings it back', async () => {
    await server.pause();
    const paused = await server.fourLetterWord('srvr', { timeoutMs: 300 }).catch((e: unknown) => e);
    expect(paused).toBeInstanceOf(FourLetterWordTimeoutError);
    await server.resume();
    expect(await server.fourLetterWord('srvr')).toMatch(/^Mode: standalone$/m);
  });

  it('stop() ends the JVM, even a paused one, and removes its temp directory', async () => {
    await server.pause();
    const pid = server.pid;
    await server.stop();
    expect(isAlive(pid)).toBe(false);
    expect(existsSync(server.workDir)).toBe(false);
    await expect(server.restart()).rejects.toMatchObject({ code: 'ZOOKEEPER_SERVER_STATE' });
    await server.stop();
  });
});

describe('start failures', () => {
  it('rejects with the log tail when the requested port is taken, and cleans up', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      const error = await ZooKeeperServer.start({ port }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ZooKeeperStartError);
      const { code, logTail, message } = error as ZooKeeperStartError;
      expect(code).toBe('ZOOKEEPER_START_FAILED');
      expect(logTail).toMatch(/BindException|Address already in use/);
      const workDir = /log: (\S+)\/zookeeper\.log/.exec(message)?.[1];
      expect(workDir).toMatch(/zkcoord-zk-/);
      expect(existsSync(workDir!)).toBe(false);
    } finally {
      blocker.close();
    }
  });
});

describe('findZooKeeper', () => {
  const saved = process.env['ZOOKEEPER_HOME'];
  // These tests choose the server through ZOOKEEPER_HOME, which ZOOKEEPER_VERSION (a run on
  // another release) would conflict with; harness-versions.test.ts covers that variable.
  const savedVersion = process.env['ZOOKEEPER_VERSION'];
  let fakeHome: string | undefined;

  beforeAll(() => {
    delete process.env['ZOOKEEPER_VERSION'];
  });
  afterAll(async () => {
    restoreZooKeeperHome(saved);
    if (savedVersion !== undefined) process.env['ZOOKEEPER_VERSION'] = savedVersion;
    if (fakeHome !== undefined) await rm(fakeHome, { recursive: true, force: true });
  });

  it('finds java and a classpath', async () => {
    const found = await findZooKeeper();
    expect(existsSync(found.java)).toBe(true);
    expect(found.classpath.length).toBeGreaterThan(0);
    for (const jar of found.classpath) expect(existsSync(jar)).toBe(true);
  });

  it('rejects a ZOOKEEPER_HOME without jars instead of silently using another install', async () => {
    process.env['ZOOKEEPER_HOME'] = join(tmpdir(), 'zkcoord-no-such-zookeeper-home');
    try {
      const error = await findZooKeeper().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ZooKeeperNotFoundError);
      expect((error as ZooKeeperNotFoundError).code).toBe('ZOOKEEPER_NOT_FOUND');
      expect((error as Error).message).toContain('install-zookeeper.sh');
    } finally {
      restoreZooKeeperHome(saved);
    }
  });

  it.skipIf(!existsSync('/usr/share/java/zookeeper.jar'))(
    'uses a release laid out like the Apache tarball, adding an slf4j binding',
    async () => {
      // Debian's jar stands in for a release: its manifest names its dependencies.
      fakeHome = await mkdtemp(join(tmpdir(), 'zkcoord-home-'));
      await mkdir(join(fakeHome, 'lib'));
      await symlink('/usr/share/java/zookeeper.jar', join(fakeHome, 'lib', 'zookeeper-3.8.0.jar'));
      process.env['ZOOKEEPER_HOME'] = fakeHome;
      let installation;
      try {
        installation = await findZooKeeper();
      } finally {
        restoreZooKeeperHome(saved);
      }
      expect(installation).toMatchObject({ source: 'ZOOKEEPER_HOME', version: '3.8.0' });
      expect(installation.classpath).toContain('/usr/share/java/slf4j-simple.jar');

      const server = await ZooKeeperServer.start({ installation });
      expect(await server.fourLetterWord('ruok')).toBe('imok');
      await server[Symbol.asyncDispose]();
      expect(server.isRunning()).toBe(false);
    },
  );
});

/**
 * The cleanup hooks only matter when a whole Node process dies, so these tests need a child
 * process that imports the harness. Plain node cannot load TypeScript (Node 20 has no type
 * stripping and tsx is not a dependency), so the harness is compiled once into a temp directory
 * with the project's own tsc (no type check: typecheck is a separate step). That tests the same
 * JavaScript users get from dist/, without depending on a prior build.
 */
describe('no JVM outlives its Node process', () => {
  let outDir: string;

  beforeAll(async () => {
    outDir = await mkdtemp(join(tmpdir(), 'zkcoord-harness-build-'));
    const tsc = join(
      createRequire(import.meta.url).resolve('typescript/package.json'),
      '../bin/tsc',
    );
    await promisify(execFile)(
      process.execPath,
      [
        tsc,
        join(REPO, 'src/testing/index.ts'),
        ...['--ignoreConfig', '--noCheck', '--skipLibCheck', '--types', 'node'],
        ...['--module', 'nodenext', '--moduleResolution', 'nodenext', '--target', 'es2022'],
        ...['--rootDir', join(REPO, 'src'), '--outDir', outDir],
      ],
      { cwd: REPO },
    );
    await writeFile(join(outDir, 'package.json'), '{"type":"module"}\n');
  }, 60_000);

  afterAll(async () => {
    await rm(outDir, { recursive: true, force: true });
  });

  /** A child that starts a server, reports it on stdout, then runs `then`. */
  function startChild(then: string): ChildRun {
    const script = `
      import { ZooKeeperServer } from ${JSON.stringify(join(outDir, 'testing/index.js'))};
      const server = await ZooKeeperServer.start();
      console.log(JSON.stringify({ pid: server.pid, workDir: server.workDir }));
      ${then}
    `;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.once('exit', (code, signal) => {
        resolve({ code, signal });
      }),
    );
    const started = (async () => {
      while (!stdout.includes('\n')) {
        if (child.exitCode !== null) throw new Error(`child exited early: ${stderr}`);
        await sleep(20);
      }
      return JSON.parse(stdout.slice(0, stdout.indexOf('\n'))) as { pid: number; workDir: string };
    })();
    return { child, started, exited, output: () => stdout + stderr };
  }

  async function expectCleanedUp(server: { pid: number; workDir: string }): Promise<void> {
    for (let waited = 0; isAlive(server.pid) && waited < 5_000; waited += 20) await sleep(20);
    expect(isAlive(server.pid)).toBe(false);
    // By path, not `pgrep -f ZooKeeperServerMain`: the shared server and other people's servers
    // on this machine match that too.
    expect(await processesMentioning(server.workDir)).toEqual([]);
    expect(existsSync(server.workDir)).toBe(false);
  }

  it('when the script throws', async () => {
    const run = startChild(`throw new Error('test failed on purpose');`);
    const server = await run.started;
    expect(await run.exited).toEqual({ code: 1, signal: null });
    expect(run.output()).toContain('test failed on purpose');
    await expectCleanedUp(server);
  });

  it('when it gets SIGTERM, and still dies of that signal', async () => {
    const run = startChild(`setInterval(() => {}, 1000);`);
    const server = await run.started;
    run.child.kill('SIGTERM');
    expect(await run.exited).toEqual({ code: null, signal: 'SIGTERM' });
    await expectCleanedUp(server);
  });

  it("when it gets SIGINT and the user's own handler decides the exit", async () => {
    const run = startChild(`
      process.on('SIGINT', () => process.exit(7));
      setInterval(() => {}, 1000);
    `);
    const server = await run.started;
    run.child.kill('SIGINT');
    expect(await run.exited).toEqual({ code: 7, signal: null });
    await expectCleanedUp(server);
  });
});

interface ChildRun {
  child: ReturnType<typeof spawn>;
  started: Promise<{ pid: number; workDir: string }>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  output: () => string;
}

/** A zombie (exited, not yet reaped by init) counts as dead. */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true;
  }
}

async function processesMentioning(text: string): Promise<number[]> {
  const pids: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const cmdline = await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '');
    if (cmdline.includes(text)) pids.push(Number(entry));
  }
  return pids;
}

function restoreZooKeeperHome(value: string | undefined): void {
  if (value === undefined) delete process.env['ZOOKEEPER_HOME'];
  else process.env['ZOOKEEPER_HOME'] = value;
}

import { access, readFile, stat } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ZooKeeper } from '../../src/index.js';
import { buildCli, CliRun, isAlive } from './cli-helpers.js';
import type { BuiltCli } from './cli-helpers.js';

/** `key: value` lines of `zkcoord server`'s announcement. */
function announced(stdout: string): Map<string, string> {
  const fields = new Map<string, string>();
  for (const line of stdout.split('\n')) {
    const match = /^([a-z ]+): +(.*)$/.exec(line);
    if (match !== null) fields.set(match[1]!, match[2]!);
  }
  return fields;
}

async function gone(path: string): Promise<boolean> {
  return access(path).then(
    () => false,
    () => true,
  );
}

// Each test starts its own ZooKeeper through the CLI (a JVM): a minute is generous for that.
describe('zkcoord server', () => {
  let cli: BuiltCli;
  const running: CliRun[] = [];

  beforeAll(async () => {
    cli = await buildCli();
  }, 60_000);

  afterAll(async () => {
    for (const run of running) run.process.kill('SIGKILL');
    await cli.remove();
  });

  async function startServer(args: readonly string[]): Promise<{
    server: CliRun;
    fields: Map<string, string>;
  }> {
    const server = new CliRun(cli.main, ['server', ...args]);
    running.push(server);
    await server.waitFor('Ctrl-C stops it', 60_000);
    await server.waitFor('try:', 5_000);
    return { server, fields: announced(server.stdout) };
  }

  it('serves on the connect string it prints until SIGINT, then stops the JVM and exits 0', async () => {
    const { server, fields } = await startServer([]);
    const connect = fields.get('connect')!;
    expect(connect).toMatch(/^127\.0\.0\.1:\d+$/);
    const pids = fields.get('pids')!.split(' ').map(Number);
    expect(pids).toHaveLength(1);
    expect(isAlive(pids[0]!)).toBe(true);
    const dataDir = fields.get('data')!.replace(/ \(.*\)$/, '');

    const zk = await ZooKeeper.connect(connect);
    await zk.create('/from-a-client', 'hi');
    expect((await zk.getData('/from-a-client')).data.toString()).toBe('hi');
    await zk.close();

    server.process.kill('SIGINT');
    const exit = await server.exited;
    expect(exit).toMatchObject({ code: 0, signal: null });
    expect(exit.stderr).toContain('SIGINT: stopping');
    expect(isAlive(pids[0]!)).toBe(false);
    expect(await gone(dataDir)).toBe(true);
  }, 90_000);

  it('--ensemble 3 --tls: three members and their TLS port, stopped by SIGTERM', async () => {
    const { server, fields } = await startServer(['--ensemble', '3', '--tls']);
    expect(server.stdout).toMatch(/^ZooKeeper \S* ?ensemble of 3 is up/);
    const pids = fields.get('pids')!.split(' ').map(Number);
    expect(pids).toHaveLength(3);
    const files = /^--tls-ca (\S+) --tls-cert (\S+) --tls-key (\S+)$/.exec(
      fields.get('tls files')!,
    );
    expect(files).not.toBeNull();
    const [ca, cert, key] = files!.slice(1) as [string, string, string];
    expect((await stat(key)).mode & 0o777).toBe(0o600);

    // Over TLS with the files it wrote, to any member of the TLS connect string.
    const zk = await ZooKeeper.connect(fields.get('tls connect')!, {
      tls: { ca: await readFile(ca), cert: await readFile(cert), key: await readFile(key) },
    });
    await zk.create('/over-tls');
    await zk.close();
    const plain = await ZooKeeper.connect(fields.get('connect')!);
    expect(await plain.exists('/over-tls')).not.toBeNull();
    await plain.close();

    server.process.kill('SIGTERM');
    expect(await server.exited).toMatchObject({ code: 0, signal: null });
    for (const pid of pids) expect(isAlive(pid)).toBe(false);
    expect(await gone(ca)).toBe(true);
  }, 120_000);

  it('refuses what it cannot do with exit 64', async () => {
    const cases = [
      [['--ensemble', '4'], '--ensemble takes 3 or 5'],
      [['--ensemble', '3', '--port', '2181'], '--port is for a standalone server'],
      [['--port', 'x'], '--port takes a port number'],
      [['extra'], 'unexpected argument'],
    ] as const;
    for (const [args, message] of cases) {
      const exit = await new CliRun(cli.main, ['server', ...args]).exited;
      expect(exit.code).toBe(64);
      expect(exit.stderr).toContain(message);
    }
  });
});

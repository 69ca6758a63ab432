import { afterAll, describe, expect, it } from 'vitest';
import { ZooKeeper } from '../../src/index.js';
import { Mutex, ReadWriteLock, Semaphore } from '../../src/recipes/index.js';
import type { LockLease } from '../../src/recipes/index.js';
import { until } from '../support/poll.js';
import { cliAndAdmin, CliRun } from './cli-helpers.js';
import type { CliExit } from './cli-helpers.js';
import { connectString, uniqueRoot } from './helpers.js';

interface JsonEntry {
  position: number;
  state: string;
  role: string | null;
  node: string;
  sequence: number;
  session: string;
  ctime: string;
  ageMs: number;
  client: string;
  data: string | null;
  dataBase64: string;
}

interface JsonQueue {
  path: string;
  kind: string;
  leases: number | null;
  free: boolean;
  queue: JsonEntry[];
}

/** Table rows of the human output: the cells of each line after the summary and header. */
function rows(stdout: string): string[][] {
  return stdout
    .trimEnd()
    .split('\n')
    .slice(2)
    .map((line) => line.split(/ {2,}/));
}

const hex = (zk: ZooKeeper): string => `0x${zk.sessionId.toString(16)}`;

// Contenders are zkcoord locks in this process, each on a session of its own: to the server and
// to `zkcoord locks`, each is a separate contender.
describe('zkcoord locks', () => {
  const fixture = cliAndAdmin();
  const sessions: ZooKeeper[] = [];
  const waits: AbortController[] = [];

  afterAll(async () => {
    for (const wait of waits) wait.abort();
    await Promise.all(sessions.map((zk) => zk.close()));
  });

  async function sandbox(): Promise<{
    root: string;
    run: (args: readonly string[]) => Promise<CliExit>;
    session: () => Promise<ZooKeeper>;
  }> {
    const root = uniqueRoot('cli-locks');
    await fixture.admin.create(root);
    const servers = `${connectString()}${root}`;
    return {
      root,
      run: (args) => new CliRun(fixture.cli.main, args, { ZKCOORD_CONNECT: servers }).exited,
      session: async () => {
        const zk = await ZooKeeper.connect(servers);
        sessions.push(zk);
        return zk;
      },
    };
  }

  /** Starts a wait that the test never lets finish; resolves once its node is queued. */
  async function queueBehind(
    acquire: (signal: AbortSignal) => Promise<LockLease>,
    queued: () => Promise<number>,
    expected: number,
  ): Promise<void> {
    const wait = new AbortController();
    waits.push(wait);
    acquire(wait.signal).catch(() => undefined);
    await until(`${expected} in the queue`, async () => (await queued()) >= expected, {
      timeoutMs: 15_000,
    });
  }

  it('a mutex: the holder, then the waiters in queue order, with session, age and data', async () => {
    const { run, session } = await sandbox();
    const [a, b, c] = await Promise.all([session(), session(), session()]);
    const lease = await new Mutex(a, '/m', { id: 'first' }).acquire();
    const count = async (): Promise<number> => (await new Mutex(a, '/m').participants()).length;
    await queueBehind(
      (signal) => new Mutex(b, '/m', { id: 'second' }).acquire({ signal }),
      count,
      2,
    );
    await queueBehind(
      (signal) => new Mutex(c, '/m', { id: 'third' }).acquire({ signal }),
      count,
      3,
    );

    const human = await run(['locks', '/m']);
    expect(human).toMatchObject({ code: 0, stderr: '' });
    const lines = human.stdout.split('\n');
    expect(lines[0]).toBe('/m (mutex): 1 holder, 2 waiting');
    expect(lines[1]?.split(/ {2,}/)).toEqual([
      '#',
      'STATE',
      'SESSION',
      'AGE',
      'CLIENT',
      'NODE',
      'DATA',
    ]);
    const table = rows(human.stdout);
    expect(table.map((row) => row.slice(0, 3))).toEqual([
      ['1', 'holds', hex(a)],
      ['2', 'waits', hex(b)],
      ['3', 'waits', hex(c)],
    ]);
    expect(table.map((row) => row[4])).toEqual(['zkcoord', 'zkcoord', 'zkcoord']);
    expect(table[0]?.[5]).toBe(lease.path.split('/').at(-1));
    expect(table.map((row) => (JSON.parse(row[6]!) as { id: string }).id)).toEqual([
      'first',
      'second',
      'third',
    ]);
    for (const row of table) expect(row[3]).toMatch(/^\d+s$/);
    // The columns line up: every cell of a column starts where its header does.
    const starts = (line: string): number[] =>
      [...line.matchAll(/(?:^| {2})(\S)/g)].map(
        (match) => match.index + (match.index === 0 ? 0 : 2),
      );
    for (const line of lines.slice(2, 5)) expect(starts(line)).toEqual(starts(lines[1]!));

    const json = await run(['locks', '--json', '/m']);
    expect(json).toMatchObject({ code: 0, stderr: '' });
    const parsed = JSON.parse(json.stdout) as JsonQueue;
    expect(parsed).toMatchObject({ path: '/m', kind: 'mutex', leases: null, free: false });
    expect(parsed.queue.map((entry) => [entry.position, entry.state, entry.session])).toEqual([
      [1, 'holds', hex(a)],
      [2, 'waits', hex(b)],
      [3, 'waits', hex(c)],
    ]);
    const [first] = parsed.queue;
    expect(first).toMatchObject({ role: null, client: 'zkcoord', sequence: 0 });
    expect(first?.node).toBe(lease.path.split('/').at(-1));
    const holder = JSON.parse(first!.data!) as { id: string; pid: unknown };
    expect(holder.id).toBe('first');
    expect(typeof holder.pid).toBe('number');
    expect(Buffer.from(first!.dataBase64, 'base64').toString()).toBe(first!.data);
    expect(first!.ageMs).toBeGreaterThanOrEqual(0);
    expect(new Date(first!.ctime).toISOString()).toBe(first!.ctime);

    // The next one in line takes over, and the listing follows.
    await lease.release();
    const after = JSON.parse((await run(['locks', '--json', '/m'])).stdout) as JsonQueue;
    expect(after.queue.map((entry) => [entry.state, entry.session])).toEqual([
      ['holds', hex(b)],
      ['waits', hex(c)],
    ]);
  });

  it('a read/write lock: readers share until a writer queues, with the role of each', async () => {
    const { run, session } = await sandbox();
    const [a, b, c] = await Promise.all([session(), session(), session()]);
    await new ReadWriteLock(a, '/rw').readLock.acquire();
    const count = async (): Promise<number> =>
      (await new ReadWriteLock(b, '/rw').readLock.participants()).length;
    await queueBehind(
      (signal) => new ReadWriteLock(b, '/rw').writeLock.acquire({ signal }),
      count,
      2,
    );
    await queueBehind(
      (signal) => new ReadWriteLock(c, '/rw').readLock.acquire({ signal }),
      count,
      3,
    );

    const human = await run(['locks', '/rw']);
    expect(human).toMatchObject({ code: 0, stderr: '' });
    expect(human.stdout.split('\n')[0]).toBe('/rw (read-write): 1 holder, 2 waiting');
    expect(rows(human.stdout).map((row) => row.slice(0, 4))).toEqual([
      ['1', 'holds', 'read', hex(a)],
      ['2', 'waits', 'write', hex(b)],
      ['3', 'waits', 'read', hex(c)],
    ]);
  });

  it('a semaphore: lease holders, then the waiters queued for a lease', async () => {
    const { run, session } = await sandbox();
    const [a, b, c] = await Promise.all([session(), session(), session()]);
    await new Semaphore(a, '/s', { leases: 1 }).acquire();
    const waiting = async (): Promise<number> =>
      (await new Mutex(b, '/s/locks').participants()).length;
    await queueBehind(
      (signal) => new Semaphore(b, '/s', { leases: 1 }).acquire({ signal }),
      waiting,
      1,
    );
    await queueBehind(
      (signal) => new Semaphore(c, '/s', { leases: 1 }).acquire({ signal }),
      waiting,
      2,
    );
    // The first waiter has made its lease node too, and waits for room.
    const leaseNodes = async (): Promise<number> =>
      (await b.getChildren('/s/leases')).children.length;
    await until("the first waiter's lease node", async () => (await leaseNodes()) >= 2, {
      timeoutMs: 15_000,
    });

    for (const args of [
      ['locks', '--json', '/s'],
      ['locks', '--json', '--leases', '1', '/s'],
    ]) {
      const json = await run(args);
      expect(json).toMatchObject({ code: 0, stderr: '' });
      const parsed = JSON.parse(json.stdout) as JsonQueue;
      expect(parsed.kind).toBe('semaphore');
      expect(parsed.queue.map((entry) => [entry.state, entry.session])).toEqual([
        ['holds', hex(a)],
        ['waits', hex(b)],
        ['waits', hex(c)],
      ]);
      expect(parsed.queue[0]?.node).toMatch(/-lease-\d{10}$/);
      expect(parsed.queue[1]?.node).toMatch(/-lock-\d{10}$/);
    }
  });

  it('"free" for an empty queue, exit 66 for a missing path, 64 for a bad --kind', async () => {
    const { root, run } = await sandbox();
    await fixture.admin.create(`${root}/idle`);
    expect(await run(['locks', '/idle'])).toMatchObject({ code: 0, stdout: 'free\n', stderr: '' });
    const json = await run(['locks', '--json', '/idle']);
    expect(JSON.parse(json.stdout)).toEqual({
      path: '/idle',
      kind: 'mutex',
      leases: null,
      free: true,
      queue: [],
    });

    const missing = await run(['locks', '/nowhere']);
    expect(missing).toMatchObject({ code: 66, stdout: '' });
    expect(missing.stderr).toMatch(/^zkcoord locks: .*\/nowhere.*\n$/);

    const usage = await run(['locks', '--kind', 'spinlock', '/idle']);
    expect(usage.code).toBe(64);
    expect(usage.stderr).toContain('--kind takes one of mutex, read-write, semaphore');
  });
});

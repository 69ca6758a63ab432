import { describe, expect, it } from 'vitest';
import { digestId } from '../../src/index.js';
import type { Stat } from '../../src/index.js';
import { freePort } from '../../src/testing/index.js';
import { cliAndAdmin, CliRun, expectUsageError } from './cli-helpers.js';
import type { CliExit } from './cli-helpers.js';
import { connectString, uniqueRoot } from './helpers.js';

/** The Stat as `--json` prints it: 64-bit fields as decimal strings. */
function jsonStat(stat: Stat): Record<string, string | number> {
  return Object.fromEntries(
    Object.entries(stat).map(([key, value]) => [
      key,
      typeof value === 'bigint' ? value.toString() : value,
    ]),
  );
}

// Each test works under a chroot of its own on the shared server, given as ZKCOORD_CONNECT.
describe('zkcoord data commands', () => {
  const fixture = cliAndAdmin();

  /** A fresh chroot, and a runner of `zkcoord` commands inside it. */
  async function sandbox(): Promise<{
    root: string;
    run: (args: readonly string[], input?: string | Uint8Array) => Promise<CliExit>;
  }> {
    const root = uniqueRoot('cli-data');
    await fixture.admin.create(root);
    const env = { ZKCOORD_CONNECT: `${connectString()}${root}` };
    return { root, run: (args, input) => new CliRun(fixture.cli.main, args, env, input).exited };
  }

  it('create -p, get, set from stdin, and the data formats', async () => {
    const { root, run } = await sandbox();
    expect(await run(['create', '-p', '/a/b/c', 'hello'])).toMatchObject({
      code: 0,
      stdout: '/a/b/c\n',
      stderr: '',
    });
    expect((await fixture.admin.getData(`${root}/a/b`)).data).toEqual(Buffer.alloc(0));
    // Not a terminal: the bytes exactly, nothing added.
    expect(await run(['get', '/a/b/c'])).toMatchObject({ code: 0, stdout: 'hello', stderr: '' });

    const bytes = Buffer.from([0, 1, 2, 0xff]);
    expect(await run(['set', '/a/b/c', '-'], bytes)).toMatchObject({ code: 0, stdout: '' });
    expect((await fixture.admin.getData(`${root}/a/b/c`)).data).toEqual(bytes);
    expect((await run(['get', '--format', 'hex', '/a/b/c'])).stdout).toBe('000102ff\n');
    expect((await run(['get', '--format', 'base64', '/a/b/c'])).stdout).toBe('AAEC/w==\n');
    const { stat } = await fixture.admin.getData(`${root}/a/b/c`);
    expect(JSON.parse((await run(['get', '--json', '--format', 'hex', '/a/b/c'])).stdout)).toEqual({
      path: '/a/b/c',
      format: 'hex',
      data: '000102ff',
      stat: jsonStat(stat),
    });
    // Binary data is neither UTF-8 text for JSON output nor JSON.
    for (const args of [['--json'], ['--format', 'json']]) {
      const refused = await run(['get', ...args, '/a/b/c']);
      expect(refused).toMatchObject({ code: 65, stdout: '' });
      expect(refused.stderr).toMatch(/^zkcoord get: the data of \/a\/b\/c is not .*\n$/);
    }

    await run(['set', '/a/b/c', '{"replicas":3}']);
    expect((await run(['get', '--format', 'json', '/a/b/c'])).stdout).toBe(
      '{\n  "replicas": 3\n}\n',
    );
    expect(
      JSON.parse((await run(['get', '--json', '--format', 'json', '/a/b/c'])).stdout),
    ).toMatchObject({
      data: { replicas: 3 },
    });
    const withStat = await run(['get', '--stat', '/a/b/c']);
    expect(withStat.stdout).toMatch(/^\{"replicas":3\}\nczxid +0x[0-9a-f]+\n/);
    expect(withStat.stdout).toMatch(/\nversion +2\n/);
    // A leading dash after -- is data, not an option.
    expect(await run(['set', '/a/b/c', '--', '-1'])).toMatchObject({ code: 0 });
    expect((await fixture.admin.getData(`${root}/a/b/c`)).data.toString()).toBe('-1');
  });

  it('set --version and create on an existing node exit 65; a missing node exits 66', async () => {
    const { root, run } = await sandbox();
    await fixture.admin.create(`${root}/n`, 'x');
    const stale = await run(['set', '--version', '5', '/n', 'y']);
    expect(stale).toMatchObject({ code: 65, stdout: '' });
    expect(stale.stderr).toMatch(/^zkcoord set: BADVERSION: .*\(\/n\)\n$/);
    const updated = await run(['set', '--json', '--version', '0', '/n', 'y']);
    expect(updated.code).toBe(0);
    expect(JSON.parse(updated.stdout)).toEqual({
      path: '/n',
      stat: jsonStat((await fixture.admin.getData(`${root}/n`)).stat),
    });
    expect(await run(['create', '/n'])).toMatchObject({ code: 65, stdout: '' });
    for (const args of [
      ['get', '/nope'],
      ['stat', '/nope'],
      ['ls', '/nope'],
      ['set', '/nope', 'x'],
    ]) {
      const missing = await run(args);
      expect(missing).toMatchObject({ code: 66, stdout: '' });
      expect(missing.stderr).toMatch(new RegExp(`^zkcoord ${args[0]!}: NONODE: .*/nope.*\\n$`));
    }
    expect((await run(['create', '/no/parent'])).code).toBe(66);
    // --debug adds the stack trace after the one line.
    const debug = await run(['get', '--debug', '/nope']);
    expect(debug.code).toBe(66);
    expect(debug.stderr).toMatch(/^zkcoord get: NONODE: .*\nNoNodeError: .*\n\s+at /);
  });

  it('create modes: sequential prints the numbered path; ephemeral ends with zkcoord; ttl; data from stdin', async () => {
    const { root, run } = await sandbox();
    const first = await run(['create', '--mode', 'sequential', '/job-', 'a']);
    const second = await run(['create', '--mode', 'sequential', '/job-', '-'], 'from stdin');
    expect(first.stdout).toMatch(/^\/job-\d{10}\n$/);
    expect(second.stdout).toMatch(/^\/job-\d{10}\n$/);
    expect(second.stdout > first.stdout).toBe(true);
    expect((await fixture.admin.getData(`${root}${second.stdout.trim()}`)).data.toString()).toBe(
      'from stdin',
    );

    const ephemeral = await run(['create', '--json', '--mode', 'ephemeral-sequential', '/e-']);
    const created = JSON.parse(ephemeral.stdout) as {
      path: string;
      stat: { ephemeralOwner: string };
    };
    expect(created.path).toMatch(/^\/e-\d{10}$/);
    expect(created.stat.ephemeralOwner).not.toBe('0');
    // zkcoord closed its session on exit, and its ephemeral node went with it.
    expect(await fixture.admin.exists(`${root}${created.path}`)).toBeNull();

    expect(await run(['create', '--mode', 'ttl', '--ttl', '1h', '/t'])).toMatchObject({
      code: 0,
      stdout: '/t\n',
    });
    expect(await run(['create', '--mode', 'container', '/c'])).toMatchObject({ code: 0 });
    expect(await fixture.admin.exists(`${root}/t`)).not.toBeNull();
  });

  it('ls sorts children; ls -R and tree show the subtree; --json shapes', async () => {
    const { root, run } = await sandbox();
    for (const path of ['/s', '/s/b', '/s/a', '/s/a/y', '/s/a/x', '/s/c']) {
      await fixture.admin.create(`${root}${path}`);
    }
    expect(await run(['ls', '/s'])).toMatchObject({ code: 0, stdout: 'a\nb\nc\n', stderr: '' });
    expect(JSON.parse((await run(['ls', '--json', '/s'])).stdout)).toEqual({
      path: '/s',
      children: ['a', 'b', 'c'],
    });
    const all = ['/s', '/s/a', '/s/a/x', '/s/a/y', '/s/b', '/s/c'];
    expect((await run(['ls', '-R', '/s'])).stdout).toBe(`${all.join('\n')}\n`);
    expect(JSON.parse((await run(['ls', '-R', '--json', '/s'])).stdout)).toEqual({
      path: '/s',
      paths: all,
    });
    expect((await run(['ls', '/'])).stdout).toBe('s\n');
    expect((await run(['tree', '/s'])).stdout).toBe(
      ['/s', '├── a', '│   ├── x', '│   └── y', '├── b', '└── c', ''].join('\n'),
    );
    const leaf = (name: string, path: string): object => ({ name, path, children: [] });
    expect(JSON.parse((await run(['tree', '--json', '/s/a'])).stdout)).toEqual({
      name: 'a',
      path: '/s/a',
      children: [leaf('x', '/s/a/x'), leaf('y', '/s/a/y')],
    });
  });

  it('stat: aligned lines with ISO times; --json with the library field names', async () => {
    const { root, run } = await sandbox();
    await fixture.admin.create(`${root}/n`, 'four');
    await fixture.admin.create(`${root}/n/child`);
    const stat = (await fixture.admin.exists(`${root}/n`))!;
    const human = await run(['stat', '/n']);
    expect(human.code).toBe(0);
    const lines = human.stdout.trimEnd().split('\n');
    expect(lines.map((line) => line.split(/ +/)[0])).toEqual([
      'czxid',
      'mzxid',
      'pzxid',
      'ctime',
      'mtime',
      'version',
      'cversion',
      'aversion',
      'ephemeralOwner',
      'dataLength',
      'numChildren',
    ]);
    // One column of values.
    expect(new Set(lines.map((line) => /^\S+ +/.exec(line)![0].length)).size).toBe(1);
    expect(human.stdout).toContain(
      `ctime           ${new Date(Number(stat.ctime)).toISOString()}\n`,
    );
    expect(human.stdout).toContain(`czxid           0x${stat.czxid.toString(16)}\n`);
    expect(human.stdout).toMatch(/ephemeralOwner +none\ndataLength +4\nnumChildren +1\n$/);
    expect(JSON.parse((await run(['stat', '--json', '/n'])).stdout)).toEqual({
      path: '/n',
      stat: jsonStat(stat),
    });
  });

  it('rm: one node; -R deletes the subtree depth first; not empty 65, missing 66, / refused', async () => {
    const { root, run } = await sandbox();
    for (const path of ['/r', '/r/a', '/r/a/b', '/r/c', '/keep'])
      await fixture.admin.create(`${root}${path}`);
    const notEmpty = await run(['rm', '/r']);
    expect(notEmpty).toMatchObject({ code: 65, stdout: '' });
    expect(notEmpty.stderr).toMatch(/^zkcoord rm: NOTEMPTY: /);
    // A version that does not match deletes nothing, not even the children.
    expect(await run(['rm', '--version', '3', '-R', '/r'])).toMatchObject({ code: 65 });
    expect((await fixture.admin.getChildren(`${root}/r`)).children.sort()).toEqual(['a', 'c']);
    expect(await run(['rm', '-R', '/r'])).toMatchObject({ code: 0, stdout: '', stderr: '' });
    expect((await fixture.admin.getChildren(root)).children).toEqual(['keep']);
    expect(await run(['rm', '--version', '0', '/keep'])).toMatchObject({ code: 0 });
    expect((await run(['rm', '/keep'])).code).toBe(66);
    const refused = await run(['rm', '-R', '/']);
    expect(refused.code).toBe(64);
    expect(refused.stderr).toMatch(/^zkcoord rm: refusing to delete \/\n/);
  });

  it('acl set and acl get; an ACL that shuts us out exits 77', async () => {
    const { root, run } = await sandbox();
    await fixture.admin.create(`${root}/n`);
    const bob = digestId('bob', 'secret');
    // World keeps fixture.admin rights: without them the server would mask the digest (bob:x) on reads.
    expect(
      await run([
        'acl',
        'set',
        '/n',
        'world:anyone:acdr',
        `digest:${bob}:cdrwa`,
        'ip:10.0.0.0/8:rw',
      ]),
    ).toMatchObject({ code: 0, stdout: '', stderr: '' });
    expect((await fixture.admin.getACL(`${root}/n`)).acl).toEqual([
      { perms: 29, id: { scheme: 'world', id: 'anyone' } },
      { perms: 31, id: { scheme: 'digest', id: bob } },
      { perms: 3, id: { scheme: 'ip', id: '10.0.0.0/8' } },
    ]);
    expect((await run(['acl', 'get', '/n'])).stdout).toBe(
      `world:anyone:cdra\ndigest:${bob}:cdrwa\nip:10.0.0.0/8:rw\n`,
    );
    const json = JSON.parse((await run(['acl', 'get', '--json', '/n'])).stdout) as object;
    expect(json).toMatchObject({
      path: '/n',
      acl: [
        { scheme: 'world', id: 'anyone', perms: 'cdra' },
        { scheme: 'digest', id: bob, perms: 'cdrwa' },
        { scheme: 'ip', id: '10.0.0.0/8', perms: 'rw' },
      ],
      stat: { aversion: 1 },
    });
    expect((await run(['acl', 'set', '--version', '0', '/n', 'world:anyone:r'])).code).toBe(65);

    await fixture.admin.setACL(`${root}/n`, [{ perms: 31, id: { scheme: 'digest', id: bob } }]);
    const denied = await run(['get', '/n']);
    expect(denied).toMatchObject({ code: 77, stdout: '' });
    expect(denied.stderr).toMatch(/^zkcoord get: not allowed: NOAUTH: .*\n$/);
  });

  it('whoami and sync', async () => {
    const { run } = await sandbox();
    expect(await run(['whoami'])).toMatchObject({ code: 0, stdout: 'ip:127.0.0.1\n' });
    expect(JSON.parse((await run(['whoami', '--json'])).stdout)).toEqual({
      identities: [{ scheme: 'ip', id: '127.0.0.1' }],
    });
    expect(await run(['sync'])).toMatchObject({ code: 0, stdout: '', stderr: '' });
    expect(await run(['sync', '/'])).toMatchObject({ code: 0, stdout: '', stderr: '' });
  });

  it('bad command lines exit 64 with one line and a usage hint, without connecting', async () => {
    const closed = `127.0.0.1:${await freePort()}`;
    const env = { ZKCOORD_CONNECT: closed };
    const run = (args: readonly string[]): Promise<CliExit> =>
      new CliRun(fixture.cli.main, args, env).exited;
    const cases: [string[], RegExp][] = [
      [['ls'], /^zkcoord ls: missing the path$/],
      [['ls', 'relative'], /^zkcoord ls: .*must start with/],
      [['ls', '-x', '/'], /^zkcoord ls: unknown option -x$/],
      [['ls', '/', '/other'], /^zkcoord ls: unexpected argument "\/other"$/],
      [['get', '--format', 'yaml', '/n'], /^zkcoord get: --format takes one of/],
      [['set', '/n'], /^zkcoord set: missing the data/],
      [['set', '--version', 'x', '/n', 'd'], /^zkcoord set: --version takes/],
      [['create', '--mode', 'ttl', '/n'], /^zkcoord create: --mode ttl needs --ttl$/],
      [['create', '--ttl', '1h', '/n'], /^zkcoord create: --ttl goes with/],
      [['create', '--mode', 'forever', '/n'], /^zkcoord create: --mode takes one of/],
      [['rm', '--json', '/n'], /^zkcoord rm: unknown option --json$/],
      [['acl', 'set', '/n', 'world:anyone:rx'], /^zkcoord acl set: ACL permissions are letters/],
      [['acl', 'set', '/n', 'anyone'], /^zkcoord acl set: an ACL is scheme:id:perms/],
      [
        ['stat', '/n', '--session-timeout', '1h'],
        /^zkcoord stat: --session-timeout takes a duration/,
      ],
      [['whoami', '--connect', 'host:notaport'], /^zkcoord whoami: --connect: /],
    ];
    const results = await Promise.all(cases.map(([args]) => run(args)));
    results.forEach((result, i) => {
      expectUsageError(result, cases[i]![1], /^usage: zkcoord /);
    });
    const noConnect = await new CliRun(fixture.cli.main, ['ls', '/']).exited;
    expect(noConnect.code).toBe(64);
    expect(noConnect.stderr).toMatch(/^zkcoord ls: missing --connect/);
    const unknown = await run(['frobnicate']);
    expect(unknown.code).toBe(64);
    expect(unknown.stderr).toMatch(/^zkcoord: unknown command "frobnicate"/);
  });

  it('--help for every command, on stdout, exit 0', async () => {
    const commands = [
      ['ls'],
      ['tree'],
      ['get'],
      ['set'],
      ['create'],
      ['rm'],
      ['stat'],
      ['watch'],
      ['acl', 'get'],
      ['acl', 'set'],
      ['whoami'],
      ['sync'],
    ];
    const results = await Promise.all(
      commands.map((command) => new CliRun(fixture.cli.main, [...command, '--help']).exited),
    );
    results.forEach((result, i) => {
      expect(result).toMatchObject({ code: 0, stderr: '' });
      expect(result.stdout).toMatch(new RegExp(`^Usage: zkcoord ${commands[i]!.join(' ')}`));
      expect(result.stdout).toContain('--connect <servers>');
    });
    const top = await new CliRun(fixture.cli.main, ['--help']).exited;
    for (const [command] of commands) expect(top.stdout).toContain(`zkcoord ${command!}`);
  });

  it('exits 69 naming the hosts when no server answers; 66 with a hint for a missing chroot', async () => {
    const closed = `127.0.0.1:${await freePort()}`;
    const unreachable = await new CliRun(fixture.cli.main, [
      'ls',
      '/',
      '--connect',
      closed,
      '--session-timeout',
      '500ms',
    ]).exited;
    expect(unreachable).toMatchObject({ code: 69, stdout: '' });
    // One line naming the hosts, then why the last attempt failed.
    expect(unreachable.stderr).toMatch(
      new RegExp(
        `^zkcoord ls: ZooKeeper unavailable: CONNECTIONLOSS: could not open a session with ${closed} within 500 ms; last error: [^\n]*ECONNREFUSED[^\n]*\n$`,
      ),
    );
    const chroot = uniqueRoot('cli-missing');
    const missing = await new CliRun(fixture.cli.main, [
      'ls',
      '/',
      '--connect',
      `${connectString()}${chroot}`,
    ]).exited;
    expect(missing.code).toBe(66);
    expect(missing.stderr).toMatch(/\(does the chroot exist\?\)\n$/);
  });
});

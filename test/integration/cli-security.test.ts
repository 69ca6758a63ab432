import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { digestId, Perms, ZooKeeper } from '../../src/index.js';
import { ZooKeeperServer } from '../../src/testing/index.js';
import { buildCli, CliRun, sh } from './cli-helpers.js';
import type { BuiltCli, CliExit } from './cli-helpers.js';
import { connectString, uniqueRoot } from './helpers.js';

const BOB = { scheme: 'digest', id: digestId('bob', 'bob-secret') };

describe('zkcoord --auth, --sasl-*, --tls-*', () => {
  let cli: BuiltCli;
  let admin: ZooKeeper;
  /** TLS and SASL on one server of this file's own; the shared one has neither. */
  let secure: ZooKeeperServer;
  let files: string;
  const run = (args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<CliExit> =>
    new CliRun(cli.main, args, env).exited;

  beforeAll(async () => {
    [cli, admin, secure, files] = await Promise.all([
      buildCli(),
      ZooKeeper.connect(connectString()),
      ZooKeeperServer.start({ tls: true, sasl: { users: { alice: 'alice-secret' } } }),
      mkdtemp(join(tmpdir(), 'zkcoord-cli-security-')),
    ]);
    const tls = secure.tls!;
    await Promise.all([
      writeFile(join(files, 'ca.pem'), tls.ca),
      writeFile(join(files, 'client.pem'), tls.cert),
      writeFile(join(files, 'client-key.pem'), tls.key),
      writeFile(join(files, 'alice'), 'alice-secret\n'),
      writeFile(join(files, 'wrong'), 'not-her-password\n'),
    ]);
  }, 90_000);

  afterAll(async () => {
    await admin.close();
    await secure.stop();
    await cli.remove();
    await rm(files, { recursive: true, force: true });
  });

  it('--auth digest: a node only bob may read, a lock only bob may take (0 with it, 77 without)', async () => {
    const root = uniqueRoot('cli-auth');
    await admin.create(root);
    await admin.create(`${root}/secret`, 'for bob', { acl: [{ perms: Perms.ALL, id: BOB }] });
    await admin.create(`${root}/guarded`, '', { acl: [{ perms: Perms.ALL, id: BOB }] });
    const env = { ZKCOORD_CONNECT: `${connectString()}${root}` };
    const asBob = ['--auth', 'digest:bob:bob-secret'];

    expect(await run(['get', '/secret', ...asBob], env)).toMatchObject({
      code: 0,
      stdout: 'for bob',
    });
    const denied = await run(['get', '/secret'], env);
    expect(denied).toMatchObject({ code: 77, stdout: '' });
    expect(denied.stderr).toMatch(/^zkcoord get: not allowed: .*\n$/);
    expect((await run(['get', '/secret', '--auth', 'digest:bob:guess'], env)).code).toBe(77);
    // Repeatable: every credential is sent, and the one that matches grants.
    const both = await run(['get', '/secret', '--auth', 'digest:eve:x', ...asBob], env);
    expect(both.code).toBe(0);
    expect((await run(['whoami', '--auth', 'digest:eve:x', ...asBob], env)).stdout).toMatch(
      /digest:eve\ndigest:bob|digest:bob\ndigest:eve/,
    );

    // `lock` and `locks` take the same options.
    const locked = await run(['lock', '/guarded', ...asBob, '--', ...sh('echo held')], env);
    expect(locked).toMatchObject({ code: 0, stdout: 'held\n' });
    expect((await run(['lock', '/guarded', '--', ...sh('echo held')], env)).code).toBe(77);
    expect(await run(['locks', '/guarded', ...asBob], env)).toMatchObject({
      code: 0,
      stdout: 'free\n',
    });
    expect((await run(['locks', '/guarded'], env)).code).toBe(77);
  });

  it('a malformed --auth is a usage error that does not echo the secret', async () => {
    const exit = await run(['whoami', '--connect', connectString(), '--auth', 'bob-secret']);
    expect(exit.code).toBe(64);
    expect(exit.stderr).toContain('--auth takes scheme:auth');
    expect(exit.stderr).not.toContain('bob-secret');
  });

  it('--tls-ca/--tls-cert/--tls-key: mutual TLS gives the x509 identity; a wrong CA cannot connect', async () => {
    const tls = secure.tls!;
    const pems = [
      ...['--tls-ca', join(files, 'ca.pem')],
      ...['--tls-cert', join(files, 'client.pem')],
      ...['--tls-key', join(files, 'client-key.pem')],
    ];
    const whoami = await run(['whoami', '--connect', tls.connectString, ...pems]);
    expect(whoami).toMatchObject({ code: 0, stderr: '' });
    expect(whoami.stdout.split('\n')).toContain(`x509:${tls.clientSubject}`);
    // The CA alone: server verified, no client certificate (the server only wants one).
    const caOnly = await run(['ls', '/', '--connect', tls.connectString, ...pems.slice(0, 2)]);
    expect(caOnly.code).toBe(0);

    // The system CAs do not know the test CA: unreachable, naming why.
    const system = await run([
      ...['ls', '/', '--connect', tls.connectString, '--tls', '--session-timeout', '2s'],
    ]);
    expect(system.code).toBe(69);
    expect(system.stderr).toMatch(/certificate/);

    const half = await run(['ls', '/', '--connect', tls.connectString, ...pems.slice(2, 4)]);
    expect(half.code).toBe(64);
    expect(half.stderr).toContain('--tls-cert and --tls-key go together');
    const notPem = await run([
      'ls',
      '/',
      '--connect',
      tls.connectString,
      '--tls-ca',
      join(files, 'alice'),
    ]);
    expect(notPem.code).toBe(64);
    expect(notPem.stderr).toContain('is not a PEM file');
    const missing = await run([
      'ls',
      '/',
      '--connect',
      tls.connectString,
      '--tls-ca',
      join(files, 'nope'),
    ]);
    expect(missing.code).toBe(64);
    expect(missing.stderr).toContain('cannot read');
  });

  it('--sasl-user with a password file or $ZKCOORD_SASL_PASSWORD; a wrong password exits 77', async () => {
    const connect = ['--connect', secure.connectString, '--sasl-user', 'alice'];
    const fromFile = await run([
      'whoami',
      ...connect,
      '--sasl-password-file',
      join(files, 'alice'),
    ]);
    expect(fromFile).toMatchObject({ code: 0, stderr: '' });
    expect(fromFile.stdout.split('\n')).toContain('sasl:alice');
    const fromEnv = await run(['whoami', ...connect], { ZKCOORD_SASL_PASSWORD: 'alice-secret' });
    expect(fromEnv.stdout.split('\n')).toContain('sasl:alice');

    const wrong = await run(['whoami', ...connect, '--sasl-password-file', join(files, 'wrong')]);
    expect(wrong.code).toBe(77);
    expect(wrong.stderr).toMatch(/^zkcoord whoami: not allowed: .*\n$/);

    const noPassword = await run(['whoami', ...connect]);
    expect(noPassword.code).toBe(64);
    expect(noPassword.stderr).toContain('--sasl-password-file');
  });
});

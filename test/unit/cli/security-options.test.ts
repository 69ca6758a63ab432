import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseArgs, UsageError } from '../../../src/cli/args.js';
import { ageText } from '../../../src/cli/list-locks.js';
import { detectKind } from '../../../src/cli/lock-queue-view.js';
import {
  SECURITY_BOOLEAN,
  SECURITY_REPEATABLE,
  SECURITY_VALUED,
  securityOptions,
} from '../../../src/cli/security-options.js';

// Real certificates are tried end to end in test/integration/cli-security.test.ts.
describe('securityOptions', () => {
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'zkcoord-security-unit-'));
    await writeFile(join(dir, 'password'), 'pa ss\nsecond line\n');
    await writeFile(
      join(dir, 'garbage.pem'),
      '-----BEGIN CERTIFICATE-----\nxx\n-----END CERTIFICATE-----\n',
    );
    await writeFile(join(dir, 'plain'), 'not a pem');
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const parse = (args: string[], env: NodeJS.ProcessEnv = {}) => {
    const { flags, lists } = parseArgs(args, {
      valued: SECURITY_VALUED,
      boolean: SECURITY_BOOLEAN,
      repeatable: SECURITY_REPEATABLE,
    });
    return securityOptions(flags, lists, env);
  };

  it('nothing given: no options at all', () => {
    expect(parse([])).toEqual({});
  });

  it('--auth is repeatable, split at the first colon, in order', () => {
    expect(parse(['--auth', 'digest:bob:a:b', '--auth=ip:1.2.3.4']).auth).toEqual([
      { scheme: 'digest', auth: 'bob:a:b' },
      { scheme: 'ip', auth: '1.2.3.4' },
    ]);
    for (const bad of ['digest', ':x', 'digest:']) {
      expect(() => parse(['--auth', bad])).toThrow(UsageError);
    }
  });

  it('SASL: the first line of the password file, else the environment, else a usage error', () => {
    expect(
      parse(['--sasl-user', 'al', '--sasl-password-file', join(dir, 'password')]).sasl,
    ).toEqual({
      mechanism: 'DIGEST-MD5',
      username: 'al',
      password: 'pa ss',
    });
    expect(parse(['--sasl-user', 'al'], { ZKCOORD_SASL_PASSWORD: 'env' }).sasl?.password).toBe(
      'env',
    );
    expect(() => parse(['--sasl-user', 'al'])).toThrow(/ZKCOORD_SASL_PASSWORD/);
    expect(() => parse(['--sasl-password-file', join(dir, 'password')])).toThrow(
      /needs --sasl-user/,
    );
    expect(() => parse(['--sasl-user', 'al', '--sasl-password-file', join(dir, 'nope')])).toThrow(
      /cannot read .*ENOENT/,
    );
  });

  it('TLS: --tls alone is the system CAs; files must be PEM and cert goes with key', () => {
    expect(parse(['--tls']).tls).toEqual({});
    expect(() => parse(['--tls-ca', join(dir, 'plain')])).toThrow(/not a PEM file/);
    const garbage = join(dir, 'garbage.pem');
    expect(() => parse(['--tls-cert', garbage, '--tls-key', garbage])).toThrow(/^TLS files: /);
    expect(() => parse(['--tls-cert', join(dir, 'garbage.pem')])).toThrow(/go together/);
  });
});

describe('locks helpers', () => {
  it('detectKind: semaphore layout, read/write node names, else mutex', () => {
    expect(detectKind(['leases', 'locks'])).toBe('semaphore');
    expect(detectKind(['_c_x-__WRIT__0000000001'])).toBe('read-write');
    expect(detectKind(['_c_x-lock-0000000001', 'abc__lock__0000000002'])).toBe('mutex');
    expect(detectKind([])).toBe('mutex');
  });

  it('ageText: the two largest units', () => {
    expect([0, 59_999, 60_000, 3_725_000, 90_061_000].map(ageText)).toEqual([
      '0s',
      '59s',
      '1m00s',
      '1h02m',
      '1d01h',
    ]);
  });
});

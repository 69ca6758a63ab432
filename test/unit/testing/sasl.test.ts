import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { saslSettings } from '../../../src/testing/sasl.js';

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'zkcoord-sasl-'));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('saslSettings', () => {
  it('writes a JAAS Server section with one quoted user_<name> per user', async () => {
    const settings = await saslSettings(dir, { users: { alice: 'a"b\\c', bob: 'pw' } });
    const file = join(dir, 'jaas.conf');
    expect(settings.properties).toEqual({ 'java.security.auth.login.config': file });
    expect(settings.config).toEqual({
      'authProvider.1': 'org.apache.zookeeper.server.auth.SASLAuthenticationProvider',
    });
    expect(await readFile(file, 'utf8')).toBe(
      [
        'Server {',
        '  org.apache.zookeeper.server.auth.DigestLoginModule required',
        '  user_alice="a\\"b\\\\c"',
        '  user_bob="pw";',
        '};',
        '',
      ].join('\n'),
    );
  });

  it('adds nothing without sasl, and refuses names that would break the file', async () => {
    expect(await saslSettings(dir, undefined)).toEqual({ config: {}, properties: {} });
    await expect(saslSettings(dir, { users: { 'a b': 'pw' } })).rejects.toThrow(RangeError);
    await expect(saslSettings(dir, { users: { a: 'p\nw' } })).rejects.toThrow(RangeError);
  });
});

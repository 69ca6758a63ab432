import { describe, expect, it } from 'vitest';
import { aclText, parseAcl } from '../../../src/cli/acl-text.js';
import { parseArgs, UsageError } from '../../../src/cli/args.js';
import { parseDuration, parseLongDuration } from '../../../src/cli/durations.js';

const spec = {
  valued: ['version'],
  boolean: ['recursive', 'parents'],
  short: { R: 'recursive', p: 'parents' },
};

describe('parseArgs short flags', () => {
  it('maps single and bundled letters to their long flags; - stays an argument', () => {
    const parsed = parseArgs(['-R', '/a', '-', '--version', '-1'], spec);
    expect(parsed.positionals).toEqual(['/a', '-']);
    expect([...parsed.flags]).toEqual([
      ['recursive', ''],
      ['version', '-1'],
    ]);
    expect([...parseArgs(['-pR', '/a'], spec).flags.keys()]).toEqual(['parents', 'recursive']);
  });

  it('refuses unknown letters, repeats, and any short flag where none are declared', () => {
    expect(() => parseArgs(['-x'], spec)).toThrow(new UsageError('unknown option -x'));
    expect(() => parseArgs(['-pq'], spec)).toThrow(new UsageError('unknown option -pq'));
    expect(() => parseArgs(['-R', '--recursive'], spec)).toThrow(/given twice/);
    expect(() => parseArgs(['-p'], { valued: [], boolean: ['parents'] })).toThrow(
      /unknown option -p/,
    );
  });
});

describe('ACL arguments', () => {
  it('keeps colons in ids: scheme to the first colon, perms after the last', () => {
    expect(parseAcl('digest:bob:abc=:rw')).toEqual({
      perms: 3,
      id: { scheme: 'digest', id: 'bob:abc=' },
    });
    expect(parseAcl('ip:fe80::1:cdrwa').id).toEqual({ scheme: 'ip', id: 'fe80::1' });
    expect(parseAcl('auth::a')).toEqual({ perms: 16, id: { scheme: 'auth', id: '' } });
    expect(aclText(parseAcl('world:anyone:awrdc'))).toBe('world:anyone:cdrwa');
  });

  it('refuses malformed entries and unknown or missing perms', () => {
    for (const bad of ['world', 'world:anyone', ':x:r', 'world:anyone:rx', 'world:anyone:']) {
      expect(() => parseAcl(bad)).toThrow(UsageError);
    }
  });
});

describe('durations', () => {
  it('long durations take hours and days up to their limit; timer durations do not', () => {
    expect(parseLongDuration('--ttl', '12h', 2 ** 40)).toBe(43_200_000);
    expect(parseLongDuration('--ttl', '1.5d', 2 ** 40)).toBe(129_600_000);
    expect(() => parseLongDuration('--ttl', '2d', 86_400_000)).toThrow(/too long/);
    expect(() => parseLongDuration('--ttl', '5constructor', 2 ** 40)).toThrow(/takes a duration/);
    expect(() => parseDuration('--timeout', '3h')).toThrow(/takes a duration/);
    expect(parseDuration('--timeout', '1.5s')).toBe(1500);
  });
});

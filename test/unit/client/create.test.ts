import { describe, expect, it } from 'vitest';
import { encodeCreate } from '../../../src/client/operations/create.js';
import { InvalidACLError, InvalidArgumentError } from '../../../src/client/errors.js';
import { CreateMode } from '../../../src/client/types.js';
import { CreateFlags, MAX_TTL, OpCode } from '../../../src/protocol/index.js';

const identity = (path: string): string => path;

describe('encodeCreate', () => {
  it('uses create2 for the classic modes, createContainer and createTTL for the others', () => {
    expect(encodeCreate('/a', 'x', {}, identity)).toMatchObject({
      opcode: OpCode.create2,
      record: { path: '/a', flags: CreateFlags.PERSISTENT },
    });
    expect(
      encodeCreate('/a', undefined, { mode: CreateMode.EPHEMERAL_SEQUENTIAL }, identity),
    ).toMatchObject({
      opcode: OpCode.create2,
      record: { flags: CreateFlags.EPHEMERAL_SEQUENTIAL, data: new Uint8Array(0) },
    });
    expect(encodeCreate('/a', undefined, { mode: 'container' }, identity).opcode).toBe(
      OpCode.createContainer,
    );
    expect(
      encodeCreate('/a', undefined, { mode: 'persistent-ttl', ttl: 1000 }, identity),
    ).toMatchObject({
      opcode: OpCode.createTTL,
      record: { flags: CreateFlags.PERSISTENT_WITH_TTL, ttl: 1000n },
    });
  });

  it('validates sequential prefixes as Java does', () => {
    expect(
      encodeCreate('/q/', undefined, { mode: 'persistent-sequential' }, identity).record.path,
    ).toBe('/q/');
  });

  it.each([
    [{ mode: 'persistent-ttl' as const }, 'needs a ttl'],
    [{ mode: 'persistent-ttl' as const, ttl: 0 }, 'needs a ttl'],
    [{ mode: 'persistent-ttl' as const, ttl: MAX_TTL + 1 }, 'needs a ttl'],
    [{ mode: 'persistent-ttl' as const, ttl: 1.5 }, 'needs a ttl'],
    [{ mode: 'persistent' as const, ttl: 10 }, 'only allowed with the TTL modes'],
    [{ mode: 'forever' as unknown as 'persistent' }, 'unknown create mode'],
  ])('rejects %j', (options, message) => {
    expect(() => encodeCreate('/a', undefined, options, identity)).toThrow(InvalidArgumentError);
    expect(() => encodeCreate('/a', undefined, options, identity)).toThrow(message);
  });

  it('refuses an empty ACL as INVALIDACL, as the Java client does', () => {
    expect(() => encodeCreate('/a', undefined, { acl: [] }, identity)).toThrow(InvalidACLError);
  });

  it('refuses malformed ACL entries and data before anything is encoded', () => {
    const bad = [{ perms: 64, id: { scheme: 'world', id: 'anyone' } }];
    expect(() => encodeCreate('/a', undefined, { acl: bad }, identity)).toThrow(
      InvalidArgumentError,
    );
    expect(() => encodeCreate('/a', 42 as unknown as string, {}, identity)).toThrow(
      InvalidArgumentError,
    );
  });
});

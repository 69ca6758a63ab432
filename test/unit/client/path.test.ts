import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../../src/client/errors.js';
import { joinPath, parentOf, validatePath } from '../../../src/client/path.js';

describe('validatePath', () => {
  it.each(['/', '/a', '/a/b', '/a.b', '/..a', '/a..', '/a/.b', '/zookeeper/config', '/ü/日本'])(
    'accepts %j',
    (path) => {
      expect(() => {
        validatePath(path);
      }).not.toThrow();
    },
  );

  it.each([
    ['', 'empty'],
    ['a', 'must start with /'],
    ['/a/', 'must not end with /'],
    ['//a', 'empty node name'],
    ['/a//b', 'empty node name'],
    ['/a/./b', 'relative'],
    ['/a/../b', 'relative'],
    ['/.', 'relative'],
    ['/a/..', 'relative'],
    ['/a\u0000b', 'null character'],
    ['/a\u0001', 'invalid character'],
    ['/a\u007f', 'invalid character'],
    ['/a\u009f', 'invalid character'],
    ['/a\ud800', 'invalid character'],
    ['/a\uf8ff', 'invalid character'],
    ['/a\ufff0', 'invalid character'],
  ])('rejects %j (%s)', (path, reason) => {
    expect(() => {
      validatePath(path);
    }).toThrow(InvalidArgumentError);
    expect(() => {
      validatePath(path);
    }).toThrow(reason);
  });

  it('rejects non-strings', () => {
    expect(() => {
      validatePath(42);
    }).toThrow(InvalidArgumentError);
  });

  it('checks sequential prefixes as path + "1", so a trailing slash is allowed', () => {
    expect(() => {
      validatePath('/queue/', true);
    }).not.toThrow();
    expect(() => {
      validatePath('/queue/', false);
    }).toThrow(InvalidArgumentError);
    expect(() => {
      validatePath('/queue//', true);
    }).toThrow(InvalidArgumentError);
  });
});

describe('parentOf / joinPath', () => {
  it('walks up and down the tree', () => {
    expect(parentOf('/a/b/c')).toBe('/a/b');
    expect(parentOf('/a')).toBe('/');
    expect(joinPath('/', 'a')).toBe('/a');
    expect(joinPath('/a', 'b')).toBe('/a/b');
  });
});

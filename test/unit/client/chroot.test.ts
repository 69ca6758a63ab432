import { describe, expect, it } from 'vitest';
import { Chroot } from '../../../src/client/chroot.js';
import { parseConnectString } from '../../../src/client/connect-string.js';
import { InvalidArgumentError } from '../../../src/client/errors.js';

describe('Chroot', () => {
  const chroot = new Chroot('/app');

  it('prefixes outgoing paths, mapping / to the chroot itself', () => {
    expect(chroot.toServer('/')).toBe('/app');
    expect(chroot.toServer('/a/b')).toBe('/app/a/b');
  });

  it('keeps sequential children of / inside the chroot', () => {
    expect(chroot.toServer('/', true)).toBe('/app/');
    expect(chroot.toServer('/a', true)).toBe('/app/a');
    expect(new Chroot('').toServer('/', true)).toBe('/');
  });

  it('strips incoming paths, mapping the chroot itself to /', () => {
    expect(chroot.fromServer('/app')).toBe('/');
    expect(chroot.fromServer('/app/a/b')).toBe('/a/b');
    expect(chroot.fromServer('/app/q/x0000000007')).toBe('/q/x0000000007');
  });

  it('leaves paths outside the chroot (such as /zookeeper/config) as they are', () => {
    expect(chroot.fromServer('/zookeeper/config')).toBe('/zookeeper/config');
    expect(chroot.fromServer('/apple')).toBe('/apple');
  });

  it('is the identity without a chroot', () => {
    const none = new Chroot('');
    expect(none.toServer('/a')).toBe('/a');
    expect(none.fromServer('/a')).toBe('/a');
    expect(new Chroot('/').prefix).toBe('');
  });
});

describe('parseConnectString', () => {
  it('parses hosts, ports and the chroot', () => {
    expect(parseConnectString('h1:2181,h2:2182/app/x')).toEqual({
      hosts: [
        { host: 'h1', port: 2181 },
        { host: 'h2', port: 2182 },
      ],
      chroot: '/app/x',
    });
  });

  it('defaults the port to 2181, accepts IPv6 in brackets and treats a lone / as no chroot', () => {
    expect(parseConnectString('zk1, [::1]:2888/')).toEqual({
      hosts: [
        { host: 'zk1', port: 2181 },
        { host: '::1', port: 2888 },
      ],
      chroot: '',
    });
  });

  it.each(['', '   ', '/app', 'h:0', 'h:70000', 'h:x', '[::1', 'h:2181/app/', 'h:2181/a//b'])(
    'rejects %j',
    (text) => {
      expect(() => parseConnectString(text)).toThrow(InvalidArgumentError);
    },
  );
});

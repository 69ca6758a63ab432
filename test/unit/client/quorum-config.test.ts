import { describe, expect, it } from 'vitest';
import {
  ConfigFormatError,
  parseConfig,
  parseServerLine,
} from '../../../src/client/quorum-config.js';

describe('parseConfig', () => {
  it('reads the server lines and the hex version the server writes', () => {
    const text = [
      'server.1=127.0.0.1:2888:3888:participant;127.0.0.1:2181',
      'server.2=10.0.0.2:2889:3889:participant;0.0.0.0:2182',
      'server.3=zk3.example.com:2890:3890:observer;zk3.example.com:2183',
      'version=10000000a',
    ].join('\n');
    const config = parseConfig(text);
    expect(config.version).toBe(0x10000000an);
    expect(config.lines).toHaveLength(4);
    expect(config.members).toEqual([
      {
        id: 1,
        host: '127.0.0.1',
        quorumPort: 2888,
        electionPort: 3888,
        role: 'participant',
        clientAddress: '127.0.0.1',
        clientPort: 2181,
        spec: '127.0.0.1:2888:3888:participant;127.0.0.1:2181',
      },
      {
        id: 2,
        host: '10.0.0.2',
        quorumPort: 2889,
        electionPort: 3889,
        role: 'participant',
        clientAddress: '0.0.0.0',
        clientPort: 2182,
        spec: '10.0.0.2:2889:3889:participant;0.0.0.0:2182',
      },
      {
        id: 3,
        host: 'zk3.example.com',
        quorumPort: 2890,
        electionPort: 3890,
        role: 'observer',
        clientAddress: 'zk3.example.com',
        clientPort: 2183,
        spec: 'zk3.example.com:2890:3890:observer;zk3.example.com:2183',
      },
    ]);
  });

  it('reads bracketed IPv6 addresses and returns them without brackets', () => {
    const member = parseServerLine('server.7=[::1]:2888:3888:participant;[fe80::1%eth0]:2181');
    expect(member).toMatchObject({
      id: 7,
      host: '::1',
      quorumPort: 2888,
      electionPort: 3888,
      clientAddress: 'fe80::1%eth0',
      clientPort: 2181,
    });
  });

  it('leaves the client fields out when the line has no client part', () => {
    for (const line of ['server.1=h:1:2', 'server.1=h:1:2:participant', 'server.1=h:1:2;']) {
      const member = parseServerLine(line);
      expect(member).toMatchObject({
        host: 'h',
        quorumPort: 1,
        electionPort: 2,
        role: 'participant',
      });
      expect(member).not.toHaveProperty('clientPort');
      expect(member).not.toHaveProperty('clientAddress');
    }
  });

  it('takes a bare client port, and ignores a secure client part', () => {
    expect(parseServerLine('server.1=h:1:2;2181')).toMatchObject({ clientPort: 2181 });
    expect(parseServerLine('server.1=h:1:2;2181')).not.toHaveProperty('clientAddress');
    expect(parseServerLine('server.1=h:1:2:participant;h:2181;h:2281')).toMatchObject({
      clientAddress: 'h',
      clientPort: 2181,
    });
  });

  it('reports the first of several addresses, with the role written after the last', () => {
    const member = parseServerLine('server.2=a:1:2|b:3:4:observer;a:2181');
    expect(member).toMatchObject({ host: 'a', quorumPort: 1, electionPort: 2, role: 'observer' });
    expect(member.spec).toBe('a:1:2|b:3:4:observer;a:2181');
  });

  it('gives an empty config (a standalone server) version 0n and no members', () => {
    expect(parseConfig('')).toEqual({ version: 0n, members: [], lines: [] });
  });

  it('keeps lines it does not model (hierarchical quorums) without members for them', () => {
    const config = parseConfig('group.1=1:2:3\nweight.1=1\nserver.1=h:1:2\nversion=0');
    expect(config.members.map((m) => m.id)).toEqual([1]);
    expect(config.lines).toEqual(['group.1=1:2:3', 'weight.1=1', 'server.1=h:1:2', 'version=0']);
  });

  it('refuses what it cannot read rather than dropping a member', () => {
    for (const text of [
      'server.1=h:1',
      'server.1=h:1:2:leader',
      'server.1=h:1:99999',
      'server.1=[::1:1:2',
      'server.1=a:1:2|b:1:x',
      'server.x=h:1:2',
      'version=xyz',
      'no equals sign',
    ]) {
      expect(() => parseConfig(text), text).toThrow(ConfigFormatError);
    }
  });
});

import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../../src/client/errors.js';
import { reconfigRequest } from '../../../src/client/operations/config.js';

const joiner = 'server.4=127.0.0.1:2891:3891:participant;127.0.0.1:2184';

describe('reconfigRequest', () => {
  it('sends an incremental change as comma-separated joining and leaving strings', () => {
    expect(
      reconfigRequest({ joining: [joiner, joiner.replace('4=', '5=')], leaving: [2, '3'] }),
    ).toEqual({
      joiningServers: `${joiner},${joiner.replace('4=', '5=')}`,
      leavingServers: '2,3',
      newMembers: null,
      curConfigId: -1n,
    });
    expect(reconfigRequest({ leaving: [3], fromConfig: 0x100000002n })).toEqual({
      joiningServers: null,
      leavingServers: '3',
      newMembers: null,
      curConfigId: 0x100000002n,
    });
  });

  it('accepts joining as one string, comma-separated like the Java client', () => {
    expect(reconfigRequest({ joining: ` ${joiner} ` }).joiningServers).toBe(joiner);
    expect(reconfigRequest({ joining: `${joiner},${joiner}` }).joiningServers).toBe(
      `${joiner},${joiner}`,
    );
  });

  it('sends a non-incremental change as newMembers only', () => {
    const members = ['server.1=h:1:2;2181', 'server.2=h:3:4:observer'];
    expect(reconfigRequest({ members })).toEqual({
      joiningServers: null,
      leavingServers: null,
      newMembers: members.join(','),
      curConfigId: -1n,
    });
  });

  it('refuses malformed changes before sending', () => {
    const bad: unknown[] = [
      undefined,
      null,
      'leaving 3',
      {},
      { joining: [], leaving: [] },
      { joining: ['4=127.0.0.1:1:2;3'] },
      { joining: ['server.4=127.0.0.1:1:2'] }, // no client port: the server refuses such a joiner
      { joining: ['server.4=127.0.0.1:1:2;3\nserver.5=h:1:2;3'] },
      { leaving: [-1] },
      { leaving: [1.5] },
      { leaving: ['2,3'] },
      { leaving: 3 },
      { members: [] },
      { members: ['server.1=h:1:2'], leaving: [2] },
      { leaving: [2], fromConfig: 5 },
      { leaving: [2], fromConfig: -2n },
      { leaving: [2], fromConfig: 2n ** 63n },
    ];
    for (const change of bad) {
      expect(
        () => reconfigRequest(change),
        JSON.stringify(change, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v)),
      ).toThrow(InvalidArgumentError);
    }
  });
});

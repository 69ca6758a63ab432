import { describe, expect, it } from 'vitest';
import { digestId } from '../../../src/client/acl.js';
import { accessSetup, quorumEntries } from '../../../src/testing/ensemble-reconfig.js';

describe('accessSetup', () => {
  it('adds nothing by default', () => {
    expect(accessSetup({})).toEqual({ properties: {}, superAuth: undefined });
  });

  it('enables reconfig with a super user whose digest matches the exposed password', () => {
    const { properties, superAuth } = accessSetup({ reconfig: true });
    const password = /^super:(.+)$/.exec(superAuth ?? '')?.[1];
    expect(password).toBeDefined();
    expect(properties).toEqual({
      'zookeeper.DigestAuthenticationProvider.superDigest': digestId('super', password ?? ''),
    });
    expect(accessSetup({ reconfig: true }).superAuth).not.toBe(superAuth);
  });

  it('turns ACL checks off with skipACL', () => {
    expect(accessSetup({ skipACL: true }).properties).toEqual({ 'zookeeper.skipACL': 'yes' });
  });

  it('enables read-only mode with readOnlyMode', () => {
    expect(accessSetup({ readOnlyMode: true }).properties).toEqual({
      'readonlymode.enabled': 'true',
    });
  });
});

describe('quorumEntries', () => {
  const servers = [
    { id: 1, quorumPort: 2888, electionPort: 3888, clientPort: 2181 },
    { id: 2, quorumPort: 2889, electionPort: 3889, clientPort: 2182 },
  ];

  it('writes the static form, or reconfigEnabled and the dynamic form with the client address', () => {
    expect(quorumEntries('127.0.0.1', servers, {})).toEqual({
      'server.1': '127.0.0.1:2888:3888',
      'server.2': '127.0.0.1:2889:3889',
    });
    expect(quorumEntries('127.0.0.1', servers, { reconfig: true })).toEqual({
      reconfigEnabled: true,
      'server.1': '127.0.0.1:2888:3888:participant;127.0.0.1:2181',
      'server.2': '127.0.0.1:2889:3889:participant;127.0.0.1:2182',
    });
  });

  it('turns local sessions on, with upgrading, for readOnlyMode', () => {
    expect(quorumEntries('127.0.0.1', servers, { readOnlyMode: true })).toEqual({
      localSessionsEnabled: true,
      localSessionsUpgradingEnabled: true,
      'server.1': '127.0.0.1:2888:3888',
      'server.2': '127.0.0.1:2889:3889',
    });
  });
});

import { afterAll, beforeAll, expect, it } from 'vitest';
import { ZooKeeper } from '../../src/index.js';
import { ZooKeeperEnsemble } from '../../src/testing/index.js';

// zkcoord/testing for users' own tests: an ensemble with both a TLS client port and SASL on every
// member, and a client using both through a member failure.

let ensemble: ZooKeeperEnsemble;

beforeAll(async () => {
  ensemble = await ZooKeeperEnsemble.start({
    size: 3,
    tls: true,
    sasl: { users: { carol: 'pw' } },
  });
}, 120_000);

afterAll(async () => {
  await ensemble.stop();
});

it('serves TLS and SASL on every member, across the loss of one', async () => {
  const tls = ensemble.tls;
  if (tls === undefined) throw new Error('the ensemble was started without tls');
  const zk = await ZooKeeper.connect(tls.connectString, {
    tls: { ca: tls.ca },
    sasl: { mechanism: 'DIGEST-MD5', username: 'carol', password: 'pw' },
    sessionTimeout: 20_000,
  });
  try {
    expect(await zk.whoAmI()).toContainEqual({ scheme: 'sasl', id: 'carol' });
    await zk.create('/secure', 'x', {
      acl: [{ perms: 31, id: { scheme: 'sasl', id: 'carol' } }],
    });
    const connected = zk.connectedServer?.port;
    const member = ensemble.members.find((m) => m.tls?.port === connected);
    if (member === undefined) throw new Error(`no member serves TLS on port ${String(connected)}`);
    await member.stop();
    // The client moves to another member over TLS and authenticates there again.
    expect((await zk.retry(() => zk.getData('/secure'))).data.toString()).toBe('x');
    expect(zk.connectedServer?.port).not.toBe(connected);
  } finally {
    await zk.close();
  }
}, 120_000);

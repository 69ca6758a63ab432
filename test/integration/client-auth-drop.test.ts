import net from 'node:net';
import { afterEach, expect, it } from 'vitest';
import { ConnectionLossError, ZooKeeper } from '../../src/index.js';
import { rejectionOf } from '../support/poll.js';
import { connectString } from './helpers.js';

// connect() with credentials when the connection drops after the handshake, before the server
// answered the auth packet: connect() must not resolve on a session whose credentials were never
// checked. A relay in front of the real server cuts the connections it is told to.

const relays: net.Server[] = [];

afterEach(() => {
  for (const relay of relays.splice(0)) relay.close();
});

/** A relay that, for the connections `cut` selects (by index), drops them at the first request after the handshake. */
async function relay(cut: (index: number) => boolean): Promise<string> {
  const [host = '', port = ''] = connectString().split(':');
  let connections = 0;
  const server = net.createServer((client) => {
    const dropThis = cut(connections++);
    const upstream = net.connect(Number(port), host);
    let handshakeAnswered = false;
    client.on('data', (chunk) => {
      if (dropThis && handshakeAnswered) {
        client.destroy();
        upstream.destroy();
        return;
      }
      upstream.write(chunk);
    });
    upstream.on('data', (chunk) => {
      handshakeAnswered = true;
      if (!client.destroyed) client.write(chunk);
    });
    for (const socket of [client, upstream]) socket.on('error', () => undefined);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  relays.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `127.0.0.1:${String((server.address() as net.AddressInfo).port)}`;
}

it('a first connection cut during authentication: connect() resolves after the reconnect, authenticated', async () => {
  const address = await relay((index) => index === 0);
  const zk = await ZooKeeper.connect(address, { auth: [{ scheme: 'digest', auth: 'bob:pw' }] });
  try {
    expect(zk.state).toBe('connected');
    expect(await zk.whoAmI()).toContainEqual({ scheme: 'digest', id: 'bob' });
  } finally {
    await zk.close();
  }
});

it('every connection cut during authentication: connect() rejects within its timeout', async () => {
  const address = await relay(() => true);
  const error = await rejectionOf(
    ZooKeeper.connect(address, {
      auth: [{ scheme: 'digest', auth: 'bob:pw' }],
      connectTimeout: 1500,
    }),
  );
  expect(error).toBeInstanceOf(ConnectionLossError);
});

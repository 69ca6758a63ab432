import { describe, expect, it } from 'vitest';
import { ConnectionLossError, InvalidArgumentError } from '../../../src/client/errors.js';
import { sessionOptions } from '../../../src/client/options.js';
import type { ZooKeeperOptions } from '../../../src/client/types.js';
import { ZooKeeper } from '../../../src/client/zookeeper.js';
import { freePort } from '../../../src/testing/free-port.js';

const hosts = [{ host: '127.0.0.1', port: 2181 }];

describe('the tls option', () => {
  it('is passed through to the session as given', () => {
    const tls = { ca: 'PEM', servername: 'localhost' };
    expect(sessionOptions(hosts, { tls }).tls).toBe(tls);
    expect(sessionOptions(hosts, {}).tls).toBeUndefined();
  });

  it.each([
    ['a string', 'yes'],
    ['true', true],
    ['null', null],
    ['an array', [{ ca: 'PEM' }]],
  ])('refuses %s with InvalidArgumentError', (_, value) => {
    const options = { tls: value } as unknown as ZooKeeperOptions;
    expect(() => sessionOptions(hosts, options)).toThrow(InvalidArgumentError);
  });

  it.each(['host', 'port', 'path', 'socket'])(
    'refuses tls.%s: the connect string says where',
    (key) => {
      const options = { tls: { [key]: 'x' } } as unknown as ZooKeeperOptions;
      expect(() => sessionOptions(hosts, options)).toThrow(/connect string/);
    },
  );

  it('makes connect() reject before any attempt', async () => {
    const options = { tls: 'yes' } as unknown as ZooKeeperOptions;
    await expect(ZooKeeper.connect('127.0.0.1:1', options)).rejects.toBeInstanceOf(
      InvalidArgumentError,
    );
  });
});

describe('connect() giving up', () => {
  it('says why the last attempt failed, with that error as the cause', async () => {
    // Free now: nothing listens there, so every attempt is refused.
    const port = await freePort();
    const error: unknown = await ZooKeeper.connect(`127.0.0.1:${port}`, {
      connectTimeout: 300,
    }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ConnectionLossError);
    const loss = error as ConnectionLossError;
    expect(loss.message).toMatch(/last error: .*ECONNREFUSED/);
    expect(loss.cause).toBeInstanceOf(ConnectionLossError);
  });
});

import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import { ZooKeeper } from '../../src/index.js';
import type { ZooKeeperOptions } from '../../src/index.js';
import { FaultProxy, ZooKeeperServer } from '../../src/testing/index.js';
import type { ZooKeeperServerOptions } from '../../src/testing/index.js';
import { StateLog } from './session-helpers.js';

// The world of a fault file: one real server for the file, a client under test that reaches it
// through a FaultProxy, and an observer that talks to it directly and so sees what it really
// holds, whatever the client under test believes. Each test works under a chroot of its own.

export interface FaultFixtureOptions {
  /** Each file says what its server needs: no fsync for the write-heavy ones, say. */
  readonly server?: ZooKeeperServerOptions;
  /**
   * Each test's chroot is `/<rootPrefix>-<random>`, created by the observer before the test;
   * without it the clients work at the server's root.
   */
  readonly rootPrefix?: string;
  /**
   * `'file'`: one observer for the whole file. `'test'`: a fresh one each test, closed with the
   * test's clients, so that nothing a test did to the observer's session reaches the next.
   */
  readonly observer: 'file' | 'test';
  /** `'test'`: a fresh proxy each test. `'none'`: the file starts its own, with `startProxy`. */
  readonly proxy: 'test' | 'none';
  /**
   * Pass everything the proxy held before closing the test's clients, so that they close their
   * sessions on the server rather than time out behind a black hole.
   */
  readonly passBeforeClose?: boolean;
  /** What `connect` and `open` give every client unless the call says otherwise. */
  readonly clientOptions?: ZooKeeperOptions;
}

/** Through the test's proxy, through a proxy of the file's own, or straight to the server. */
export type Via = 'proxy' | 'direct' | FaultProxy;

export interface FaultFixture {
  readonly server: ZooKeeperServer;
  readonly observer: ZooKeeper;
  /** The test's proxy (with `proxy: 'test'`). */
  readonly proxy: FaultProxy;
  /** The test's chroot (with `rootPrefix`), or '' for the server's root. */
  readonly root: string;
  /** A client under `chroot` (default: the test's), closed after the test. */
  readonly connect: (via: Via, options?: ZooKeeperOptions, chroot?: string) => Promise<ZooKeeper>;
  /** `connect`, with a log of the client's state changes from the start. */
  readonly open: (
    via: Via,
    options?: ZooKeeperOptions,
    chroot?: string,
  ) => Promise<{ zk: ZooKeeper; log: StateLog }>;
  /** Another proxy in front of the server, stopped after the test. */
  readonly startProxy: () => Promise<FaultProxy>;
}

/**
 * Registers the hooks that make and tear down the file's world, and returns it; read its fields
 * in tests and in the file's own hooks, which run after these start it and before these end it.
 */
export function faultFixture(options: FaultFixtureOptions): FaultFixture {
  let server: ZooKeeperServer | undefined;
  let observer: ZooKeeper | undefined;
  let proxy: FaultProxy | undefined;
  let root = '';
  const clients: ZooKeeper[] = [];
  const proxies: FaultProxy[] = [];

  const ready = <T>(value: T | undefined, name: string): T => {
    if (value === undefined) throw new Error(`faultFixture: no ${name} (read in a test?)`);
    return value;
  };
  const connectString = (via: Via): string => {
    if (via === 'direct') return ready(server, 'server').connectString;
    return (via === 'proxy' ? ready(proxy, 'proxy') : via).connectString;
  };
  const startProxy = async (): Promise<FaultProxy> => {
    const started = await FaultProxy.start({ target: ready(server, 'server').connectString });
    proxies.push(started);
    return started;
  };
  const connect = async (
    via: Via,
    clientOptions: ZooKeeperOptions = {},
    chroot = root,
  ): Promise<ZooKeeper> => {
    const zk = await ZooKeeper.connect(`${connectString(via)}${chroot}`, {
      ...options.clientOptions,
      ...clientOptions,
    });
    clients.push(zk);
    return zk;
  };

  beforeAll(async () => {
    server = await ZooKeeperServer.start(options.server);
    if (options.observer === 'file') observer = await ZooKeeper.connect(server.connectString);
  });

  afterAll(async () => {
    await observer?.close();
    await server?.stop();
  });

  beforeEach(async () => {
    const started = ready(server, 'server');
    if (options.observer === 'test') {
      observer = await ZooKeeper.connect(started.connectString);
      clients.push(observer);
    }
    if (options.rootPrefix !== undefined) {
      root = `/${options.rootPrefix}-${randomBytes(5).toString('hex')}`;
      await ready(observer, 'observer').create(root);
    }
    if (options.proxy === 'test') proxy = await startProxy();
  });

  afterEach(async () => {
    if (options.passBeforeClose === true) proxy?.pass();
    await Promise.all(clients.splice(0).map((zk) => zk.close()));
    if (options.observer === 'test') observer = undefined;
    await Promise.all(proxies.splice(0).map((p) => p.stop()));
  });

  return {
    get server() {
      return ready(server, 'server');
    },
    get observer() {
      return ready(observer, 'observer');
    },
    get proxy() {
      return ready(proxy, 'proxy');
    },
    get root() {
      return root;
    },
    connect,
    open: async (via, clientOptions, chroot) => {
      const zk = await connect(via, clientOptions, chroot);
      return { zk, log: new StateLog(zk) };
    },
    startProxy,
  };
}

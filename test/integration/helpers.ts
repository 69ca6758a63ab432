import { randomBytes } from 'node:crypto';
import { afterEach, inject } from 'vitest';
import { ZooKeeper } from '../../src/index.js';
import type { ZooKeeperOptions } from '../../src/index.js';
import { rejectionOf } from '../support/poll.js';

/** Connect string of the shared server started by global-setup.ts. */
export function connectString(): string {
  return inject('zkConnectString');
}

/**
 * A fresh path such as `/t-3f9a1c2e7b`, unique per call, for per-test isolation: use it as a
 * chroot suffix (`${connectString()}${uniqueRoot()}`) so tests sharing one server never see each
 * other's nodes. The chroot node itself must be created (from an unchrooted client) before use.
 */
export function uniqueRoot(prefix = 't'): string {
  if (!/^[A-Za-z0-9_-]+$/.test(prefix)) {
    throw new RangeError(`uniqueRoot prefix must be a single path segment, got ${prefix}`);
  }
  return `/${prefix}-${randomBytes(6).toString('hex')}`;
}

/**
 * Registers an afterEach that closes every client the returned `open` made in the test, and
 * returns `open`: a client of the shared server, under `chroot` when given.
 */
export function clientsClosedAfterEach(): (
  chroot?: string,
  options?: ZooKeeperOptions,
) => Promise<ZooKeeper> {
  const clients: ZooKeeper[] = [];
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((client) => client.close()));
  });
  return async (chroot = '', options = {}) => {
    const client = await ZooKeeper.connect(`${connectString()}${chroot}`, options);
    clients.push(client);
    return client;
  };
}

/**
 * For a client whose frames a test counts: without the syncs that keep the session confirmed by
 * the leader, only what the test sends (and pings) goes over the wire.
 */
export const COUNTED_FRAMES = { leaderConfirmation: false } as const;

/** The server's `jute.maxbuffer`: the largest request frame it takes, excluding the length prefix. */
const MAX_FRAME = 1_048_575;
const OPEN_ACL_BYTES = 4 + 4 + (4 + 5) + (4 + 6);

/** Lets a client send one frame over the server's limit: see {@link overflow}. */
export const OVERFLOW_OPTIONS = { maxRequestSize: MAX_FRAME + 1 } as const;

/**
 * Makes the server drop exactly this client's connection ("Len error"), nothing else: a create of
 * `/overflow` whose frame is one byte over jute.maxbuffer. The client must have been opened with
 * OVERFLOW_OPTIONS, under `chroot`. Resolves with the create's rejection.
 */
export function overflow(client: ZooKeeper, chroot: string): Promise<unknown> {
  const pathBytes = Buffer.byteLength(`${chroot}/overflow`);
  const size = MAX_FRAME - 8 - (4 + pathBytes) - 4 - OPEN_ACL_BYTES - 4 + 1;
  return rejectionOf(client.create('/overflow', Buffer.alloc(size)));
}

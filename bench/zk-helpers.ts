/**
 * What the harness needs around the library: sessions with the peers' settings, the server's
 * request counter, cleanup of the run's nodes, and the package version.
 */
import { readFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { NoNodeError, NotEmptyError, ZooKeeper } from '../src/index.js';
import { P } from './common.js';

/**
 * A session with shipped defaults except the session timeout, which every peer sets to
 * SESSION_TIMEOUT_MS (30 s, also zkcoord's default) so that ping traffic, which the server's
 * request counter includes, is alike.
 */
export function connect(connectString: string): Promise<ZooKeeper> {
  return ZooKeeper.connect(connectString, { sessionTimeout: P.SESSION_TIMEOUT_MS });
}

/** Requests the `srvr` probe itself adds to `Received`, as the Java and Python harnesses assume. */
export const SRVR_PROBE_COST = 1;

/**
 * The server's `Received` packet counter from the `srvr` four-letter word on the first host of
 * the connect string, or null when it cannot be read: the same probe as the peers'
 * `zkPacketsReceived` (a fresh TCP connection per reading, 5 s limit).
 */
export function zkPacketsReceived(connectString: string): Promise<number | null> {
  const first = connectString.split(',')[0]!.split('/')[0]!;
  const colon = first.lastIndexOf(':');
  const host = first.slice(0, colon);
  const port = Number.parseInt(first.slice(colon + 1), 10);
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const sock = createConnection({ host, port }, () => sock.end('srvr'));
    sock.setTimeout(5000, () => sock.destroy(new Error('srvr timed out')));
    sock.on('data', (chunk: Buffer) => chunks.push(chunk));
    sock.on('error', () => {
      resolve(null);
    });
    sock.on('close', () => {
      const m = /Received: (\d+)/.exec(Buffer.concat(chunks).toString('latin1'));
      resolve(m ? Number.parseInt(m[1]!, 10) : null);
    });
  });
}

/**
 * Deletes `path` and everything below it, as Curator's `deletingChildrenIfNeeded`: nodes that
 * vanish meanwhile (ephemerals of closing sessions, containers the server reaps) are fine.
 */
export async function deleteTree(zk: ZooKeeper, path: string): Promise<void> {
  for (;;) {
    let children: string[];
    try {
      ({ children } = await zk.getChildren(path));
    } catch (error) {
      if (error instanceof NoNodeError) return;
      throw error;
    }
    await Promise.all(children.map((child) => deleteTree(zk, `${path}/${child}`)));
    try {
      await zk.delete(path);
      return;
    } catch (error) {
      if (error instanceof NoNodeError) return;
      // A child appeared after we listed them: go round again.
      if (!(error instanceof NotEmptyError)) throw error;
    }
  }
}

/**
 * zkcoord's version from its package.json, found by walking up from this file: the compiled
 * harness (dist-bench/bench/) and the source (bench/) sit at different depths.
 */
export function packageVersion(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
        name?: unknown;
        version?: unknown;
      };
      if (pkg.name === 'zkcoord' && typeof pkg.version === 'string') return pkg.version;
    } catch {
      // No (readable) package.json here: keep walking up.
    }
    const parent = dirname(dir);
    if (parent === dir) return 'unknown';
    dir = parent;
  }
}

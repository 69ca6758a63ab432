import { fourLetterWord } from './four-letter-word.js';
import { parseHostPort } from './host-port.js';

/** A release as `[major, minor, patch]`, comparable with {@link versionAtLeast}. */
export type ServerVersion = readonly [number, number, number];

/**
 * Reads the release from a `srvr`/`stat` answer. Lenient on purpose: 3.8.0 prints
 * `3.8.0-${mvngit.commit.id}`, Maven releases `3.9.5-<commit>, built on …`.
 */
export function parseServerVersion(srvr: string): ServerVersion | undefined {
  const match = /^Zookeeper version: (\d+)\.(\d+)\.(\d+)/m.exec(srvr);
  if (match === null) return undefined;
  return [Number(match[1]), Number(match[2]), Number(match[3])];
}

export function versionAtLeast(version: ServerVersion, minimum: ServerVersion): boolean {
  const [major, minor, patch] = version;
  const [minMajor, minMinor, minPatch] = minimum;
  if (major !== minMajor) return major > minMajor;
  if (minor !== minMinor) return minor > minMinor;
  return patch >= minPatch;
}

/**
 * Asks a running server (`host:port`) which release it is, so tests can expect what that release
 * legitimately does differently (see docs/testing.md, "Server versions"). A few short probes:
 * a starting server may leave one unanswered.
 */
export async function serverVersion(server: string): Promise<ServerVersion> {
  const { host, port } = parseHostPort(server, 'server');
  let lastError: unknown;
  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      const srvr = await fourLetterWord(host, port, 'srvr');
      const version = parseServerVersion(srvr);
      if (version !== undefined) return version;
      lastError = new Error(`no version in srvr answer: ${JSON.stringify(srvr)}`);
    } catch (error) {
      lastError = error;
    }
  }
  throw new Error(`could not read the version of ZooKeeper at ${server}`, { cause: lastError });
}

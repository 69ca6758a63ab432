import { randomBytes } from 'node:crypto';
import { digestId } from '../client/acl.js';
import type { ZooCfgEntries } from './zoo-cfg.js';

/** What an ensemble's reconfig, ACL and read-only options add to every member's JVM. */
export interface AccessSetup {
  readonly properties: Record<string, string>;
  /** `super:<password>` for digest authentication, when a super user was configured. */
  readonly superAuth: string | undefined;
}

/** The options of `ZooKeeperEnsemble.start()` that govern reconfig, ACLs and read-only mode. */
export interface EnsembleAccessOptions {
  /**
   * Allow dynamic reconfiguration: `reconfigEnabled=true`, `server.N` lines in the dynamic form
   * (`host:quorum:election:participant;host:client`), and a super user whose credentials are in
   * `ZooKeeperEnsemble.superAuth`. Default false.
   */
  reconfig?: boolean;
  /** `-Dzookeeper.skipACL=yes`: every ACL check passes, for every client. Default false. */
  skipACL?: boolean;
  /**
   * A member that loses the quorum keeps serving reads as a read-only server
   * (`readonlymode.enabled`, with the local sessions it needs since 3.7). Local sessions cannot
   * resume on another member until upgraded, so use it only for read-only tests. Default false.
   */
  readOnlyMode?: boolean;
}

/** A read-only server refuses new global sessions; upgrading lets ephemerals work on the quorum. */
const READ_ONLY_SESSIONS: ZooCfgEntries = {
  localSessionsEnabled: true,
  localSessionsUpgradingEnabled: true,
};

/**
 * reconfig needs WRITE on `/zookeeper/config`, whose ACL only lets everyone read, so an ensemble
 * that allows reconfig also gets a super user (with a fresh password per ensemble) to grant it.
 */
export function accessSetup(options: EnsembleAccessOptions): AccessSetup {
  const properties: Record<string, string> = {};
  let superAuth: string | undefined;
  if (options.reconfig === true) {
    const password = randomBytes(12).toString('hex');
    superAuth = `super:${password}`;
    properties['zookeeper.DigestAuthenticationProvider.superDigest'] = digestId('super', password);
  }
  // A JVM property rather than a zoo.cfg entry: the server reads it once, when its request
  // pipeline's class loads, which may be before zoo.cfg's entries become properties.
  if (options.skipACL === true) properties['zookeeper.skipACL'] = 'yes';
  if (options.readOnlyMode === true) properties['readonlymode.enabled'] = 'true';
  return { properties, superAuth };
}

export interface ServerAddresses {
  readonly id: number;
  readonly quorumPort: number;
  readonly electionPort: number;
  readonly clientPort: number;
}

/**
 * The `server.N` entries, `reconfigEnabled` with `reconfig`, and local sessions with
 * `readOnlyMode`. A reconfig ensemble writes the `server.N` lines in the dynamic form, which
 * carries the client address: reconfig refuses a joining server without one, and getConfig then
 * tells clients where every member serves.
 */
export function quorumEntries(
  host: string,
  servers: readonly ServerAddresses[],
  options: EnsembleAccessOptions,
): ZooCfgEntries {
  const dynamic = options.reconfig === true;
  const entries: ZooCfgEntries = {
    ...(dynamic ? { reconfigEnabled: true } : {}),
    ...(options.readOnlyMode === true ? READ_ONLY_SESSIONS : {}),
  };
  for (const server of servers) {
    const quorum = `${host}:${server.quorumPort}:${server.electionPort}`;
    entries[`server.${server.id}`] = dynamic
      ? `${quorum}:participant;${host}:${server.clientPort}`
      : quorum;
  }
  return entries;
}

import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { EnsembleMember, MemberLayout } from './ensemble-member.js';
import { quorumEntries, type EnsembleAccessOptions } from './ensemble-reconfig.js';
import { EnsembleSizeError } from './errors.js';
import { freePorts } from './free-port.js';
import { QuorumLinks } from './quorum-links.js';
import { secureClientPortEntries, type TlsSetup, type ZooKeeperServerTls } from './tls.js';
import { writeZooCfg, type ZooCfgEntries } from './zoo-cfg.js';

/** The options of `ZooKeeperEnsemble.start()` that shape each member's zoo.cfg. */
export interface EnsembleLayoutOptions extends EnsembleAccessOptions {
  /** Number of members: 3 or 5 (a quorum survives 1 or 2 of them down). */
  size: 3 | 5;
  /** zoo.cfg `tickTime` in ms. Default 500. */
  tickTime?: number;
  /** Ticks a follower has to connect to the leader and sync. Default 10. */
  initLimit?: number;
  /**
   * Ticks of silence after which a follower gives up on its leader, and the leader on it.
   * Default 5.
   */
  syncLimit?: number;
  /**
   * `'proxied'` routes every member's quorum and election connections to each other member
   * through FaultProxies of their own, so that `isolate(id)` can cut one member off the quorum
   * while its client port stays reachable. Not with `reconfig`. Default `'direct'`.
   */
  quorumLinks?: 'direct' | 'proxied';
  /** Default 1000 ms. */
  minSessionTimeout?: number;
  /** Default 60000 ms. */
  maxSessionTimeout?: number;
  /**
   * Extra zoo.cfg entries for every member, overriding the defaults. `dataDir`, `clientPort` and
   * `server.N` are per member and set by the harness; `initLimit` and `syncLimit` may be given
   * here or as options, not both.
   */
  config?: ZooCfgEntries;
}

/** The ensemble's TLS client ports: a member's own port is on `member.tls`. */
export type ZooKeeperEnsembleTls = Omit<ZooKeeperServerTls, 'port'>;

export const HOST = '127.0.0.1';
const PER_MEMBER_KEYS = ['dataDir', 'clientPort', 'clientPortAddress'];
const LIMITS = ['initLimit', 'syncLimit'] as const;

/** Throws, before anything starts, on options that cannot make an ensemble. */
export function checkLayoutOptions(options: EnsembleLayoutOptions): void {
  const size: number = options.size;
  if (size !== 3 && size !== 5) {
    throw new EnsembleSizeError(`an ensemble has 3 or 5 members, not ${String(size)}`);
  }
  const config = options.config ?? {};
  for (const key of Object.keys(config)) {
    if (PER_MEMBER_KEYS.includes(key) || /^server\.\d+$/.test(key)) {
      throw new RangeError(`${key} is set per member by the ensemble, not through config`);
    }
  }
  for (const limit of LIMITS) {
    const ticks = options[limit];
    if (ticks === undefined) continue;
    if (!Number.isSafeInteger(ticks) || ticks < 1) {
      throw new RangeError(`${limit} must be a positive number of ticks, got ${String(ticks)}`);
    }
    if (limit in config) throw new RangeError(`${limit} is given both as an option and in config`);
  }
  const links: string = options.quorumLinks ?? 'direct';
  if (links !== 'direct' && links !== 'proxied') {
    throw new RangeError(`quorumLinks is 'direct' or 'proxied', not ${links}`);
  }
  // A reconfig ensemble makes its members adopt the leader's view of everyone's addresses (the
  // leader's own real ports among them), and every reconfig rewrites them: the links would not
  // stay each member's own.
  if (links === 'proxied' && options.reconfig === true) {
    throw new RangeError("quorumLinks: 'proxied' does not work with reconfig: true");
  }
}

export interface PreparedMembers {
  readonly layouts: MemberLayout[];
  /** The quorum links' proxies, with `quorumLinks: 'proxied'`. */
  readonly links: QuorumLinks | undefined;
}

/**
 * Fresh directories, `myid` files and zoo.cfg for every member on newly picked ports (three per
 * member: client, quorum, election), wiping what an earlier attempt left; with proxied quorum
 * links, the proxies too, which each member's zoo.cfg names for the others.
 */
export async function prepareMembers(
  workDir: string,
  options: EnsembleLayoutOptions,
  tls: TlsSetup | undefined,
  saslConfig: ZooCfgEntries,
): Promise<PreparedMembers> {
  const perMember = tls === undefined ? 3 : 4;
  const ports = await freePorts(options.size * perMember, HOST);
  const layouts: MemberLayout[] = [];
  for (let i = 0; i < options.size; i++) {
    const id = i + 1;
    const memberDir = join(workDir, `member-${id}`);
    layouts.push({
      id,
      clientPort: ports[i * perMember] as number,
      quorumPort: ports[i * perMember + 1] as number,
      electionPort: ports[i * perMember + 2] as number,
      secureClientPort: tls === undefined ? undefined : ports[i * perMember + 3],
      workDir: memberDir,
      dataDir: join(memberDir, 'data'),
      configFile: join(memberDir, 'zoo.cfg'),
      logFile: join(memberDir, 'zookeeper.log'),
    });
  }
  const links = options.quorumLinks === 'proxied' ? await QuorumLinks.start(layouts) : undefined;
  try {
    for (const layout of layouts) {
      const servers = links === undefined ? layouts : links.seenBy(layout.id, layouts);
      await writeMember(layout, options, quorumEntries(HOST, servers, options), tls, saslConfig);
    }
  } catch (error) {
    await links?.stop();
    throw error;
  }
  return { layouts, links };
}

async function writeMember(
  layout: MemberLayout,
  options: EnsembleLayoutOptions,
  servers: ZooCfgEntries,
  tls: TlsSetup | undefined,
  saslConfig: ZooCfgEntries,
): Promise<void> {
  await rm(layout.workDir, { recursive: true, force: true });
  await mkdir(layout.dataDir, { recursive: true });
  await writeFile(join(layout.dataDir, 'myid'), `${layout.id}\n`, 'utf8');
  await writeZooCfg(
    layout.configFile,
    {
      tickTime: options.tickTime ?? 500,
      // Defaults in ticks: 5 s to join and sync, 2.5 s of silence before a member is given up
      // (at 500 ms).
      initLimit: options.initLimit ?? 10,
      syncLimit: options.syncLimit ?? 5,
      minSessionTimeout: options.minSessionTimeout ?? 1000,
      maxSessionTimeout: options.maxSessionTimeout ?? 60_000,
      dataDir: layout.dataDir,
      clientPort: layout.clientPort,
      clientPortAddress: HOST,
      maxClientCnxns: 0,
      'admin.enableServer': false,
      ...servers,
      ...tls?.config,
      ...(layout.secureClientPort === undefined
        ? {}
        : secureClientPortEntries(layout.secureClientPort)),
      ...saslConfig,
    },
    options.config ?? {},
  );
}

export function ensembleTls(members: readonly EnsembleMember[]): ZooKeeperEnsembleTls | undefined {
  const first = members[0]?.tls;
  if (first === undefined) return undefined;
  return {
    connectString: members.map((m) => m.tls?.connectString ?? '').join(','),
    clientAuth: first.clientAuth,
    ca: first.ca,
    cert: first.cert,
    key: first.key,
    clientSubject: first.clientSubject,
  };
}

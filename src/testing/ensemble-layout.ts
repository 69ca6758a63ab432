import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { EnsembleMember, MemberLayout } from './ensemble-member.js';
import { quorumEntries, type EnsembleAccessOptions } from './ensemble-reconfig.js';
import { EnsembleSizeError } from './errors.js';
import { freePorts } from './free-port.js';
import { secureClientPortEntries, type TlsSetup, type ZooKeeperServerTls } from './tls.js';
import { writeZooCfg, type ZooCfgEntries } from './zoo-cfg.js';

/** The options of `ZooKeeperEnsemble.start()` that shape each member's zoo.cfg. */
export interface EnsembleLayoutOptions extends EnsembleAccessOptions {
  /** Number of members: 3 or 5 (a quorum survives 1 or 2 of them down). */
  size: 3 | 5;
  /** zoo.cfg `tickTime` in ms. Default 500. */
  tickTime?: number;
  /** Default 1000 ms. */
  minSessionTimeout?: number;
  /** Default 60000 ms. */
  maxSessionTimeout?: number;
  /**
   * Extra zoo.cfg entries for every member, overriding the defaults (`initLimit` 10 and
   * `syncLimit` 5 ticks among them). `dataDir`, `clientPort` and `server.N` are per member and
   * set by the harness.
   */
  config?: ZooCfgEntries;
}

/** The ensemble's TLS client ports: a member's own port is on `member.tls`. */
export type ZooKeeperEnsembleTls = Omit<ZooKeeperServerTls, 'port'>;

export const HOST = '127.0.0.1';
const PER_MEMBER_KEYS = ['dataDir', 'clientPort', 'clientPortAddress'];

/** Throws, before anything starts, on options that cannot make an ensemble. */
export function checkLayoutOptions(options: EnsembleLayoutOptions): void {
  const size: number = options.size;
  if (size !== 3 && size !== 5) {
    throw new EnsembleSizeError(`an ensemble has 3 or 5 members, not ${String(size)}`);
  }
  for (const key of Object.keys(options.config ?? {})) {
    if (PER_MEMBER_KEYS.includes(key) || /^server\.\d+$/.test(key)) {
      throw new RangeError(`${key} is set per member by the ensemble, not through config`);
    }
  }
}

/**
 * Fresh directories, `myid` files and zoo.cfg for every member on newly picked ports (three per
 * member: client, quorum, election), wiping what an earlier attempt left.
 */
export async function prepareMembers(
  workDir: string,
  options: EnsembleLayoutOptions,
  tls: TlsSetup | undefined,
  saslConfig: ZooCfgEntries,
): Promise<MemberLayout[]> {
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
  const servers = quorumEntries(HOST, layouts, options);
  for (const layout of layouts) await writeMember(layout, options, servers, tls, saslConfig);
  return layouts;
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
      // In ticks: 5 s to join and sync, 2.5 s of silence before a member is given up (at 500 ms).
      initLimit: 10,
      syncLimit: 5,
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

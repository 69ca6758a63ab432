import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  EnsembleMember,
  startMember,
  type MemberLayout,
  type MemberRuntime,
} from './ensemble-member.js';
import {
  EnsembleSizeError,
  NoLeaderError,
  ZooKeeperServerStateError,
  type ZooKeeperStartError,
} from './errors.js';
import { findZooKeeper, type ZooKeeperInstallation } from './find-zookeeper.js';
import { freePorts } from './free-port.js';
import type { JvmProcess } from './jvm-process.js';
import { baseJvmProperties, type ZooKeeperLogLevel } from './launch.js';
import { trackDirectory, untrackDirectory } from './process-registry.js';
import { serverMode, type ServerMode } from './readiness.js';
import {
  prepareTls,
  secureClientPortEntries,
  tlsInstallation,
  type TlsSetup,
  type ZooKeeperServerTls,
  type ZooKeeperTlsOption,
} from './tls.js';
import { saslSettings, type SaslServerOptions } from './sasl.js';
import { writeZooCfg, type ZooCfgEntries } from './zoo-cfg.js';
import { accessSetup, quorumEntries, type EnsembleAccessOptions } from './ensemble-reconfig.js';

export interface ZooKeeperEnsembleOptions extends EnsembleAccessOptions {
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
  /** Extra `-D` JVM properties for every member, overriding the defaults. */
  jvmProperties?: Record<string, string>;
  /** `-Xmx` per member. Default `'128m'`. */
  heap?: string;
  /** Default `'info'`. */
  logLevel?: ZooKeeperLogLevel;
  /** Bound on start (every member serving), a member's restart, and leader()'s wait. Default 30000 ms. */
  startTimeoutMs?: number;
  /** How long a stop waits after SIGTERM before SIGKILL. Default 5000 ms. */
  stopTimeoutMs?: number;
  /** Keep the temp directory after stop(); also set by ZKCOORD_KEEP_DATA=1. Default false. */
  keepData?: boolean;
  /** The jars and java to use. Default: {@link findZooKeeper}. */
  installation?: ZooKeeperInstallation;
  /** A TLS client port on every member, with one set of test certificates (see ZooKeeperServer). */
  tls?: ZooKeeperTlsOption;
  /** SASL DIGEST-MD5 on every member with these users; `config` and `jvmProperties` still win. */
  sasl?: SaslServerOptions;
}

/** The ensemble's TLS client ports: a member's own port is on `member.tls`. */
export type ZooKeeperEnsembleTls = Omit<ZooKeeperServerTls, 'port'>;

export interface WaitOptions {
  /** Default: the ensemble's startTimeoutMs. */
  timeoutMs?: number;
}

const HOST = '127.0.0.1';
/** Fresh port sets tried when a member finds one of its ports taken. */
const PORT_ATTEMPTS = 3;
/** One probe round: every member at once, each bounded, since a paused member never answers. */
const PROBE_TIMEOUT_MS = 300;
const POLL_INTERVAL_MS = 50;
const PER_MEMBER_KEYS = ['dataDir', 'clientPort', 'clientPortAddress'];

/**
 * A real ZooKeeper ensemble of 3 or 5 QuorumPeerMain members on 127.0.0.1, each in its own process
 * group and directory. Like {@link ZooKeeperServer}, every JVM is killed and the directory removed
 * when this Node process exits, even if stop() is never reached.
 */
export class ZooKeeperEnsemble {
  readonly members: readonly EnsembleMember[];
  /** The temp directory holding one `member-<id>` directory per member. */
  readonly workDir: string;
  /** `super:<password>` of the super user `reconfig: true` adds, for `addAuth('digest', …)`. */
  readonly superAuth: string | undefined;
  /** `connectString` lists every member's TLS port; undefined without the `tls` option. */
  readonly tls: ZooKeeperEnsembleTls | undefined;
  readonly #runtime: MemberRuntime;
  readonly #removable: readonly string[];
  /** Shared with the members, which refuse to restart once it is set. */
  readonly #lifecycle: Lifecycle;

  private constructor(
    members: EnsembleMember[],
    workDir: string,
    runtime: MemberRuntime,
    removable: readonly string[],
    lifecycle: Lifecycle,
    superAuth: string | undefined,
  ) {
    this.members = members;
    this.workDir = workDir;
    this.superAuth = superAuth;
    this.tls = ensembleTls(members);
    this.#runtime = runtime;
    this.#removable = removable;
    this.#lifecycle = lifecycle;
  }

  /**
   * Starts every member and resolves once each reports `Mode: leader` or `Mode: follower`, with
   * exactly one leader. Rejects, with every JVM gone, with ZooKeeperStartError when a member
   * exits or does not serve in time, or NoLeaderError when they serve but not as one quorum.
   */
  static async start(options: ZooKeeperEnsembleOptions): Promise<ZooKeeperEnsemble> {
    const size: number = options.size;
    if (size !== 3 && size !== 5) {
      throw new EnsembleSizeError(`an ensemble has 3 or 5 members, not ${String(size)}`);
    }
    for (const key of Object.keys(options.config ?? {})) {
      if (PER_MEMBER_KEYS.includes(key) || /^server\.\d+$/.test(key)) {
        throw new RangeError(`${key} is set per member by the ensemble, not through config`);
      }
    }
    const installation = options.installation ?? (await findZooKeeper());
    const workDir = await mkdtemp(join(tmpdir(), 'zkcoord-zk-ensemble-'));
    const keep = options.keepData ?? process.env['ZKCOORD_KEEP_DATA'] === '1';
    if (!keep) trackDirectory(workDir);
    const lifecycle: Lifecycle = { stopped: false };
    const access = accessSetup(options);
    const tls = await prepareTls(options.tls, workDir);
    const sasl = await saslSettings(workDir, options.sasl);
    const runtime: MemberRuntime = {
      installation: tls === undefined ? installation : await tlsInstallation(installation),
      heap: options.heap ?? '128m',
      properties: {
        ...(await baseJvmProperties(workDir, options.logLevel ?? 'info')),
        // Elections back off up to 60 s by default between rounds; a test waits for a leader.
        'zookeeper.fastleader.maxNotificationInterval': '2000',
        ...access.properties,
        ...sasl.properties,
        ...options.jvmProperties,
      },
      startTimeoutMs: options.startTimeoutMs ?? 30_000,
      stopTimeoutMs: options.stopTimeoutMs ?? 5_000,
      isStopped: () => lifecycle.stopped,
      tls,
    };
    const removable = keep ? [] : [workDir];
    try {
      const deadline = Date.now() + runtime.startTimeoutMs;
      let lastError: ZooKeeperStartError | undefined;
      for (let attempt = 0; attempt < PORT_ATTEMPTS; attempt++) {
        const layouts = await prepareMembers(workDir, size, options, tls, sasl.config);
        const started = await startAll(layouts, runtime, deadline);
        if (started.ok) {
          const members = layouts.map(
            (layout, i) => new EnsembleMember(layout, runtime, started.jvms[i] as JvmProcess),
          );
          const ensemble = new ZooKeeperEnsemble(
            members,
            workDir,
            runtime,
            removable,
            lifecycle,
            access.superAuth,
          );
          try {
            await ensemble.#waitFor(allParticipate, Math.max(deadline - Date.now(), 0));
          } catch (error) {
            await ensemble.stop();
            throw error;
          }
          return ensemble;
        }
        lastError = started.error;
        if (!started.portInUse) break;
      }
      throw lastError ?? new Error('unreachable: no start attempt was made');
    } catch (error) {
      lifecycle.stopped = true;
      if (!keep) await removeDirectory(workDir);
      throw error;
    }
  }

  /** The member with this `myid`. */
  member(id: number): EnsembleMember {
    const member = this.members.find((m) => m.id === id);
    if (member === undefined) {
      throw new RangeError(`no member ${id}; ids are 1…${this.members.length}`);
    }
    return member;
  }

  /** `127.0.0.1:<port>,…` of every member, or of the members with these ids, in that order. */
  connectString(ids?: readonly number[]): string {
    const chosen = ids === undefined ? this.members : ids.map((id) => this.member(id));
    return chosen.map((m) => m.connectString).join(',');
  }

  /**
   * The member that reports `Mode: leader`, waiting (bounded) for an election in progress to end.
   * Rejects with NoLeaderError, which lists every member's mode, when none emerges in time.
   */
  async leader(options: WaitOptions = {}): Promise<EnsembleMember> {
    return this.#waitFor(hasLeader, options.timeoutMs ?? this.#runtime.startTimeoutMs);
  }

  /**
   * Resolves with the leader once it and enough followers for a majority serve (members that are
   * down or paused may stay so). Rejects with NoLeaderError when that does not happen in time.
   */
  async waitForQuorum(options: WaitOptions = {}): Promise<EnsembleMember> {
    return this.#waitFor(hasQuorum, options.timeoutMs ?? this.#runtime.startTimeoutMs);
  }

  /** Each member's mode now, keyed by id (one bounded `srvr` probe each, in parallel). */
  async modes(): Promise<Map<number, ServerMode>> {
    const modes = await probeAll(this.members);
    return new Map(this.members.map((m, i) => [m.id, modes[i] ?? 'not serving']));
  }

  /**
   * Stops every member (SIGTERM, SIGKILL after stopTimeoutMs; paused ones too) and removes the
   * temp directory unless keepData. Members cannot be restarted afterwards. Idempotent.
   */
  async stop(): Promise<void> {
    if (this.#lifecycle.stopped) return;
    this.#lifecycle.stopped = true;
    await Promise.all(this.members.map((m) => m.stop()));
    for (const dir of this.#removable) await removeDirectory(dir);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }

  async #waitFor(accept: Acceptance, timeoutMs: number): Promise<EnsembleMember> {
    if (this.#lifecycle.stopped) {
      throw new ZooKeeperServerStateError('the ensemble was stopped: no member will serve again');
    }
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const modes = await probeAll(this.members);
      const leaders = this.members.filter((_, i) => modes[i] === 'leader');
      const leader = leaders[0];
      if (leaders.length === 1 && leader !== undefined && accept(modes)) return leader;
      if (Date.now() >= deadline) {
        const seen = this.members.map((m, i) => `${m.id}: ${modes[i] ?? '?'}`).join(', ');
        throw new NoLeaderError(
          `no single leader${accept === hasLeader ? '' : ' with a quorum'} within ${timeoutMs} ms (${seen}); logs in ${this.workDir}`,
        );
      }
      await sleep(POLL_INTERVAL_MS);
    }
  }
}

interface Lifecycle {
  stopped: boolean;
}

/** Decides, given one mode per member and exactly one leader among them, if the wait is over. */
type Acceptance = (modes: readonly ServerMode[]) => boolean;

const hasLeader: Acceptance = () => true;

const hasQuorum: Acceptance = (modes) =>
  modes.filter((m) => m === 'leader' || m === 'follower').length > modes.length / 2;

const allParticipate: Acceptance = (modes) =>
  modes.every((m) => m === 'leader' || m === 'follower');

async function probeAll(members: readonly EnsembleMember[]): Promise<ServerMode[]> {
  // A member whose JVM has exited is not probed: its port may already belong to someone else.
  return Promise.all(
    members.map(async (m) =>
      m.isRunning() ? serverMode(HOST, m.port, PROBE_TIMEOUT_MS) : 'not serving',
    ),
  );
}

type StartedAll =
  | { readonly ok: true; readonly jvms: JvmProcess[] }
  | { readonly ok: false; readonly portInUse: boolean; readonly error: ZooKeeperStartError };

/**
 * Launches every member at once (a member alone cannot serve) and waits for each. If any fails,
 * all are killed, so that a retry on fresh ports starts from nothing.
 */
async function startAll(
  layouts: readonly MemberLayout[],
  runtime: MemberRuntime,
  deadline: number,
): Promise<StartedAll> {
  const results = await Promise.all(
    layouts.map((layout) => startMember(layout, runtime, deadline - Date.now())),
  );
  const failures = results.flatMap(({ outcome }) => (outcome.ok ? [] : [outcome]));
  const jvms = results.map(({ jvm }) => jvm);
  const firstFailure = failures[0];
  if (firstFailure === undefined) return { ok: true, jvms };
  await Promise.all(jvms.map((jvm) => jvm.kill()));
  return {
    ok: false,
    portInUse: failures.some((f) => f.portInUse),
    error: firstFailure.error,
  };
}

/**
 * Fresh directories, `myid` files and zoo.cfg for every member on newly picked ports (three per
 * member: client, quorum, election), wiping what an earlier attempt left.
 */
async function prepareMembers(
  workDir: string,
  size: number,
  options: ZooKeeperEnsembleOptions,
  tls: TlsSetup | undefined,
  saslConfig: ZooCfgEntries,
): Promise<MemberLayout[]> {
  const perMember = tls === undefined ? 3 : 4;
  const ports = await freePorts(size * perMember, HOST);
  const layouts: MemberLayout[] = [];
  for (let i = 0; i < size; i++) {
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
  for (const layout of layouts) {
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
  return layouts;
}

function ensembleTls(members: readonly EnsembleMember[]): ZooKeeperEnsembleTls | undefined {
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

async function removeDirectory(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true, maxRetries: 3 });
  untrackDirectory(dir);
}

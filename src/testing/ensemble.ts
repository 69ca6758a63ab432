import { mkdtemp, rm } from 'node:fs/promises';
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
  checkLayoutOptions,
  ensembleTls,
  HOST,
  prepareMembers,
  type EnsembleLayoutOptions,
  type ZooKeeperEnsembleTls,
} from './ensemble-layout.js';
import { accessSetup } from './ensemble-reconfig.js';
import { NoLeaderError, ZooKeeperServerStateError, type ZooKeeperStartError } from './errors.js';
import { findZooKeeper, type ZooKeeperInstallation } from './find-zookeeper.js';
import type { JvmProcess } from './jvm-process.js';
import { baseJvmProperties, type ZooKeeperLogLevel } from './launch.js';
import { trackDirectory, untrackDirectory } from './process-registry.js';
import { serverMode, type ServerMode } from './readiness.js';
import { QuorumLinks, type QuorumLink } from './quorum-links.js';
import { prepareTls, tlsInstallation, type ZooKeeperTlsOption } from './tls.js';
import { saslSettings, type SaslServerOptions } from './sasl.js';

export type { ZooKeeperEnsembleTls } from './ensemble-layout.js';

export interface ZooKeeperEnsembleOptions extends EnsembleLayoutOptions {
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

export interface WaitOptions {
  /** Default: the ensemble's startTimeoutMs. */
  timeoutMs?: number;
}

/** Fresh port sets tried when a member finds one of its ports taken. */
const PORT_ATTEMPTS = 3;
/** One probe round: every member at once, each bounded, since a paused member never answers. */
const PROBE_TIMEOUT_MS = 300;
const POLL_INTERVAL_MS = 50;

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
  /** Outlive member restarts: a restarted member reads the same zoo.cfg and proxies. */
  readonly #links: QuorumLinks | undefined;

  private constructor(members: EnsembleMember[], setup: EnsembleSetup) {
    this.members = members;
    this.workDir = setup.workDir;
    this.superAuth = setup.superAuth;
    this.tls = ensembleTls(members);
    this.#runtime = setup.runtime;
    this.#removable = setup.removable;
    this.#lifecycle = setup.lifecycle;
    this.#links = setup.links;
  }

  /**
   * Starts every member and resolves once each reports `Mode: leader` or `Mode: follower`, with
   * exactly one leader. Rejects, with every JVM gone, with ZooKeeperStartError when a member
   * exits or does not serve in time, or NoLeaderError when they serve but not as one quorum.
   */
  static async start(options: ZooKeeperEnsembleOptions): Promise<ZooKeeperEnsemble> {
    checkLayoutOptions(options);
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
        const { layouts, links } = await prepareMembers(workDir, options, tls, sasl.config);
        const started = await startAll(layouts, runtime, deadline).catch(async (error: unknown) => {
          await links?.stop();
          throw error;
        });
        if (started.ok) {
          const members = layouts.map(
            (layout, i) => new EnsembleMember(layout, runtime, started.jvms[i] as JvmProcess),
          );
          const superAuth = access.superAuth;
          const setup = { workDir, runtime, removable, lifecycle, superAuth, links };
          const ensemble = new ZooKeeperEnsemble(members, setup);
          try {
            await ensemble.#waitFor(allParticipate, Math.max(deadline - Date.now(), 0));
          } catch (error) {
            await ensemble.stop();
            throw error;
          }
          return ensemble;
        }
        await links?.stop();
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
   * Cuts member `id` off the quorum (`quorumLinks: 'proxied'`): every quorum and election link
   * from and to it holds its bytes, as in a network partition, while its client port stays
   * reachable. Its clients get answers to reads and pings until it gives up on the leader after
   * syncLimit × tickTime; the others, a majority, carry on without it. heal() ends it.
   */
  isolate(id: number): void {
    this.member(id);
    this.#requireLinks('isolate').isolate(id);
  }

  /**
   * Lets member `id` (every member without `id`) reach the others again, delivering what was
   * held; links to members still isolated stay cut. It rejoins at the next election round.
   */
  heal(id?: number): void {
    if (id !== undefined) this.member(id);
    this.#requireLinks('heal').heal(id);
  }

  /** The ids that isolate() cut off and heal() has not brought back. */
  isolated(): number[] {
    return this.#links?.isolated() ?? [];
  }

  /**
   * The two FaultProxies that member `from` reaches member `to` through, for faults on one link
   * (e.g. `blackhole()` both, both ways, to cut only leader and follower apart).
   */
  quorumLink(from: number, to: number): QuorumLink {
    this.member(from);
    this.member(to);
    return this.#requireLinks('quorumLink').link(from, to);
  }

  /**
   * Stops every member (SIGTERM, SIGKILL after stopTimeoutMs; paused ones too) and removes the
   * temp directory unless keepData. Members cannot be restarted afterwards. Idempotent.
   */
  async stop(): Promise<void> {
    if (this.#lifecycle.stopped) return;
    this.#lifecycle.stopped = true;
    await Promise.all(this.members.map((m) => m.stop()));
    await this.#links?.stop();
    for (const dir of this.#removable) await removeDirectory(dir);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }

  #requireLinks(method: string): QuorumLinks {
    if (this.#lifecycle.stopped) {
      throw new ZooKeeperServerStateError(`${method}() after the ensemble was stopped`);
    }
    if (this.#links === undefined) {
      throw new ZooKeeperServerStateError(
        `${method}() needs an ensemble with quorumLinks: 'proxied'`,
      );
    }
    return this.#links;
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

interface EnsembleSetup {
  readonly workDir: string;
  readonly runtime: MemberRuntime;
  readonly removable: readonly string[];
  readonly lifecycle: Lifecycle;
  readonly superAuth: string | undefined;
  readonly links: QuorumLinks | undefined;
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

async function removeDirectory(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true, maxRetries: 3 });
  untrackDirectory(dir);
}

import { ZooKeeperServerStateError } from './errors.js';
import type { ZooKeeperInstallation } from './find-zookeeper.js';
import { fourLetterWord, type FourLetterWordOptions } from './four-letter-word.js';
import type { JvmProcess } from './jvm-process.js';
import { awaitMemberReady, launchMember, QUORUM_PEER_MAIN, type StartOutcome } from './launch.js';
import { tailLog } from './log-file.js';
import { serverMode, type ServerMode } from './readiness.js';
import { serverTls, type TlsSetup, type ZooKeeperServerTls } from './tls.js';

/** Modes in which a quorum participant serves clients. */
export const PARTICIPANT_MODES: readonly ServerMode[] = ['leader', 'follower'];

const HOST = '127.0.0.1';
const DEFAULT_LOG_LINES = 50;
/** mode() is a public one-shot query: long enough for a busy JVM, short for a paused one. */
const MODE_TIMEOUT_MS = 1000;

/** Where one member lives: fixed for the ensemble's lifetime, so restarts reuse it. */
export interface MemberLayout {
  readonly id: number;
  readonly clientPort: number;
  readonly quorumPort: number;
  readonly electionPort: number;
  readonly secureClientPort: number | undefined;
  readonly workDir: string;
  readonly dataDir: string;
  readonly configFile: string;
  readonly logFile: string;
}

/** What every member of one ensemble shares. */
export interface MemberRuntime {
  readonly installation: ZooKeeperInstallation;
  readonly heap: string;
  readonly properties: Record<string, string>;
  readonly startTimeoutMs: number;
  readonly stopTimeoutMs: number;
  /** True once the ensemble was stopped: members cannot come back then. */
  isStopped(): boolean;
  readonly tls: TlsSetup | undefined;
}

/** Launches the member's JVM on its existing zoo.cfg and waits until it serves as a participant. */
export async function startMember(
  layout: MemberLayout,
  runtime: MemberRuntime,
  timeoutMs: number,
): Promise<{ jvm: JvmProcess; outcome: StartOutcome }> {
  const launched = await launchMember({
    installation: runtime.installation,
    mainClass: QUORUM_PEER_MAIN,
    configFile: layout.configFile,
    logFile: layout.logFile,
    heap: runtime.heap,
    properties: runtime.properties,
  });
  const outcome = await awaitMemberReady(launched, {
    host: HOST,
    port: layout.clientPort,
    modes: PARTICIPANT_MODES,
    dataDir: layout.dataDir,
    logFile: layout.logFile,
    timeoutMs: Math.max(timeoutMs, 0),
  });
  return { jvm: launched.jvm, outcome };
}

/**
 * One QuorumPeerMain of a {@link ZooKeeperEnsemble}, in its own process group. Crash it, pause
 * it, stop it and bring it back: ports, myid and data stay the same across restarts.
 */
export class EnsembleMember {
  /** The `myid` of this member, 1…size. */
  readonly id: number;
  readonly host = HOST;
  /** Client port. */
  readonly port: number;
  readonly quorumPort: number;
  readonly electionPort: number;
  /** `127.0.0.1:<port>`: this member alone. */
  readonly connectString: string;
  readonly dataDir: string;
  /** Appended across restarts. */
  readonly logFile: string;
  /** Holds zoo.cfg, the log and the data of this member. */
  readonly workDir: string;
  /** This member's TLS client port and the PEMs for it; undefined without the `tls` option. */
  readonly tls: ZooKeeperServerTls | undefined;
  readonly #layout: MemberLayout;
  readonly #runtime: MemberRuntime;
  #jvm: JvmProcess;

  /** @internal Members are made by ZooKeeperEnsemble.start(). */
  constructor(layout: MemberLayout, runtime: MemberRuntime, jvm: JvmProcess) {
    this.#layout = layout;
    this.#runtime = runtime;
    this.#jvm = jvm;
    this.id = layout.id;
    this.port = layout.clientPort;
    this.quorumPort = layout.quorumPort;
    this.electionPort = layout.electionPort;
    this.connectString = `${HOST}:${layout.clientPort}`;
    this.dataDir = layout.dataDir;
    this.logFile = layout.logFile;
    this.workDir = layout.workDir;
    this.tls =
      runtime.tls === undefined || layout.secureClientPort === undefined
        ? undefined
        : serverTls(runtime.tls, layout.secureClientPort);
  }

  /** Pid of the current JVM (a new one after restart()). */
  get pid(): number {
    return this.#jvm.pid;
  }

  /** True until the JVM has exited: also while paused. */
  isRunning(): boolean {
    return this.#jvm.isRunning();
  }

  /** SIGTERM (SIGKILL after the stop timeout). Data stays: restart() brings the member back. */
  async stop(): Promise<void> {
    await this.#jvm.terminate(this.#runtime.stopTimeoutMs);
  }

  /** kill -9 of the process group, as in a crash. */
  async kill(): Promise<void> {
    await this.#jvm.kill();
  }

  /**
   * SIGSTOP of the process group: the member holds its client and quorum connections and answers
   * nothing, like a long GC pause. Paused past syncLimit, the others carry on without it.
   */
  async pause(): Promise<void> {
    this.#requireRunning('pause');
    this.#jvm.signal('SIGSTOP');
    return Promise.resolve();
  }

  /** SIGCONT after pause(). */
  async resume(): Promise<void> {
    this.#requireRunning('resume');
    this.#jvm.signal('SIGCONT');
    return Promise.resolve();
  }

  /**
   * Stops the member if it runs and starts it again on the same ports and data; resolves once it
   * serves as leader or follower, which needs a quorum of members up. Rejects with
   * ZooKeeperStartError (the JVM then gone) if it does not serve within startTimeoutMs.
   */
  async restart(): Promise<void> {
    if (this.#runtime.isStopped()) {
      throw new ZooKeeperServerStateError(
        `restart() of member ${this.id} after the ensemble was stopped`,
      );
    }
    if (this.#jvm.isRunning()) await this.#jvm.terminate(this.#runtime.stopTimeoutMs);
    const { jvm, outcome } = await startMember(
      this.#layout,
      this.#runtime,
      this.#runtime.startTimeoutMs,
    );
    this.#jvm = jvm;
    if (!outcome.ok) throw outcome.error;
  }

  /**
   * What `srvr` reports now. `'not serving'` covers an election, a dead member, and a paused one
   * (which is given `timeoutMs`, default 1000, to answer).
   */
  async mode(options: FourLetterWordOptions = {}): Promise<ServerMode> {
    return serverMode(HOST, this.port, options.timeoutMs ?? MODE_TIMEOUT_MS);
  }

  /** Sends a four-letter word to this member's client port. */
  async fourLetterWord(command: string, options?: FourLetterWordOptions): Promise<string> {
    return fourLetterWord(HOST, this.port, command, options);
  }

  /** The last lines of this member's log (default 50). */
  async logTail(lines = DEFAULT_LOG_LINES): Promise<string> {
    return tailLog(this.logFile, lines);
  }

  #requireRunning(method: string): void {
    if (!this.#jvm.isRunning()) {
      throw new ZooKeeperServerStateError(`${method}() of member ${this.id} needs a running JVM`);
    }
  }
}

import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ZooKeeperServerStateError, type ZooKeeperStartError } from './errors.js';
import { findZooKeeper, type ZooKeeperInstallation } from './find-zookeeper.js';
import { fourLetterWord, type FourLetterWordOptions } from './four-letter-word.js';
import { freePort } from './free-port.js';
import type { JvmProcess } from './jvm-process.js';
import {
  awaitMemberReady,
  baseJvmProperties,
  launchMember,
  STANDALONE_MAIN,
  type ZooKeeperLogLevel,
} from './launch.js';
import { tailLog } from './log-file.js';
import { trackDirectory, untrackDirectory } from './process-registry.js';
import {
  prepareTls,
  secureClientPortEntries,
  serverTls,
  tlsInstallation,
  type TlsSetup,
  type ZooKeeperServerTls,
  type ZooKeeperTlsOption,
} from './tls.js';
import { saslSettings, type SaslServerOptions } from './sasl.js';
import { writeZooCfg, type ZooCfgEntries } from './zoo-cfg.js';

export interface ZooKeeperServerOptions {
  /** zoo.cfg `tickTime` in ms. Default 500, so session timeouts can be short in fault tests. */
  tickTime?: number;
  /** Default 1000 ms (ZooKeeper's own default would be 2 × tickTime). */
  minSessionTimeout?: number;
  /** Default 60000 ms. */
  maxSessionTimeout?: number;
  /** Client port on 127.0.0.1. Default: a free port (re-picked if another process takes it first). */
  port?: number;
  /** Default: `data/` in a fresh temp directory. A directory you pass is never deleted. */
  dataDir?: string;
  /** Extra zoo.cfg entries; they override the harness's defaults (not `dataDir`/`clientPort`). */
  config?: ZooCfgEntries;
  /** Extra `-D` JVM properties; they override the harness's defaults. */
  jvmProperties?: Record<string, string>;
  /** `-Xmx`. Default `'256m'`. */
  heap?: string;
  /** Default `'info'`. */
  logLevel?: ZooKeeperLogLevel;
  /** Bound on start and restart, including JVM start-up. Default 30000 ms. */
  startTimeoutMs?: number;
  /** How long stop() waits after SIGTERM before SIGKILL. Default 5000 ms. */
  stopTimeoutMs?: number;
  /**
   * Keep the temp directory (config, log, data) after stop(). Default false, or true when the
   * environment variable ZKCOORD_KEEP_DATA is `1` (to inspect a failing run).
   */
  keepData?: boolean;
  /** The jars and java to use. Default: {@link findZooKeeper}. */
  installation?: ZooKeeperInstallation;
  /**
   * Also serve TLS on a second client port, with fresh test certificates (made with `openssl`);
   * see {@link ZooKeeperServer.tls}. `true` means `{ clientAuth: 'want' }`.
   */
  tls?: ZooKeeperTlsOption;
  /** SASL DIGEST-MD5 with these users (a JAAS file in the temp directory); `config` and `jvmProperties` still win. */
  sasl?: SaslServerOptions;
}

interface Settings {
  readonly installation: ZooKeeperInstallation;
  readonly workDir: string;
  readonly dataDir: string;
  readonly configFile: string;
  readonly logFile: string;
  readonly heap: string;
  readonly properties: Record<string, string>;
  readonly config: ZooCfgEntries;
  readonly startTimeoutMs: number;
  readonly stopTimeoutMs: number;
  readonly tls: TlsSetup | undefined;
  /** The temp directory unless kept: deleted on stop(), or when this process exits. */
  readonly removable: readonly string[];
}

const HOST = '127.0.0.1';
/** Fresh ports tried when a port we picked turns out to be taken. */
const PORT_ATTEMPTS = 5;
const DEFAULT_LOG_LINES = 50;

/**
 * A real standalone ZooKeeper (ZooKeeperServerMain) on 127.0.0.1, in its own temp directory and
 * process group. The JVM is killed and the directory removed when this Node process exits, even
 * if stop() is never reached.
 */
export class ZooKeeperServer {
  readonly host = HOST;
  readonly port: number;
  readonly connectString: string;
  readonly dataDir: string;
  readonly logFile: string;
  /** The temp directory holding zoo.cfg, the log and (by default) the data. */
  readonly workDir: string;
  readonly installation: ZooKeeperInstallation;
  /** The TLS client port and the PEMs a client needs for it; undefined without the `tls` option. */
  readonly tls: ZooKeeperServerTls | undefined;
  readonly #settings: Settings;
  #jvm: JvmProcess;
  #stopped = false;

  private constructor(
    settings: Settings,
    port: number,
    securePort: number | undefined,
    jvm: JvmProcess,
  ) {
    this.#settings = settings;
    this.#jvm = jvm;
    this.port = port;
    this.connectString = `${HOST}:${port}`;
    this.dataDir = settings.dataDir;
    this.logFile = settings.logFile;
    this.workDir = settings.workDir;
    this.installation = settings.installation;
    this.tls =
      settings.tls === undefined || securePort === undefined
        ? undefined
        : serverTls(settings.tls, securePort);
  }

  /** Starts a server and resolves once it serves (`srvr` reports `Mode: standalone`). */
  static async start(options: ZooKeeperServerOptions = {}): Promise<ZooKeeperServer> {
    const installation = options.installation ?? (await findZooKeeper());
    const workDir = await mkdtemp(join(tmpdir(), 'zkcoord-zk-'));
    const keep = options.keepData ?? process.env['ZKCOORD_KEEP_DATA'] === '1';
    if (!keep) trackDirectory(workDir);
    try {
      const settings = await prepare(options, installation, workDir, keep ? [] : [workDir]);
      const deadline = Date.now() + settings.startTimeoutMs;
      let lastError: ZooKeeperStartError | undefined;
      for (let attempt = 0; attempt < PORT_ATTEMPTS; attempt++) {
        const port = options.port ?? (await freePort(HOST));
        const securePort = settings.tls === undefined ? undefined : await freePort(HOST);
        const started = await startOn(settings, port, securePort, deadline - Date.now());
        if (started.ok) return new ZooKeeperServer(settings, port, securePort, started.jvm);
        lastError = started.error;
        if (!(started.portInUse && options.port === undefined)) break;
      }
      throw lastError ?? new Error('unreachable: no start attempt was made');
    } catch (error) {
      if (!keep) await removeDirectory(workDir);
      throw error;
    }
  }

  /** Pid of the current JVM (a new one after restart()). */
  get pid(): number {
    return this.#jvm.pid;
  }

  /** True until the JVM has exited: also while paused, false once kill() or stop() resolves. */
  isRunning(): boolean {
    return this.#jvm.isRunning();
  }

  /**
   * Graceful stop (SIGTERM, SIGKILL after stopTimeoutMs), then removes the temp directory unless
   * keepData. Safe to call twice.
   */
  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    await this.#jvm.terminate(this.#settings.stopTimeoutMs);
    for (const dir of this.#settings.removable) await removeDirectory(dir);
  }

  /** kill -9 of the process group, as in a crash. Data stays, so restart() resumes from it. */
  async kill(): Promise<void> {
    await this.#jvm.kill();
  }

  /**
   * Starts the server again on the same port and data (stopping it first if it runs), and
   * resolves once it serves. Sessions survive if they reconnect within their timeout.
   */
  async restart(): Promise<void> {
    if (this.#stopped) {
      throw new ZooKeeperServerStateError('restart() after stop(): the server is gone');
    }
    if (this.#jvm.isRunning()) await this.#jvm.terminate(this.#settings.stopTimeoutMs);
    const started = await startOn(
      this.#settings,
      this.port,
      this.tls?.port,
      this.#settings.startTimeoutMs,
    );
    if (!started.ok) throw started.error;
    this.#jvm = started.jvm;
  }

  /** SIGSTOP: the server holds its connections but answers nothing, like a long GC pause. */
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

  /** Sends a four-letter word (`srvr`, `mntr`, `cons`, `dump`, `wchs`, ...) to this server. */
  async fourLetterWord(command: string, options?: FourLetterWordOptions): Promise<string> {
    return fourLetterWord(HOST, this.port, command, options);
  }

  /** The last lines of the server log (default 50). */
  async logTail(lines = DEFAULT_LOG_LINES): Promise<string> {
    return tailLog(this.logFile, lines);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }

  #requireRunning(method: string): void {
    if (!this.#jvm.isRunning()) {
      throw new ZooKeeperServerStateError(`${method}() needs a running server`);
    }
  }
}

async function removeDirectory(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true, maxRetries: 3 });
  untrackDirectory(dir);
}

type Started =
  | { readonly ok: true; readonly jvm: JvmProcess }
  | { readonly ok: false; readonly portInUse: boolean; readonly error: ZooKeeperStartError };

async function startOn(
  settings: Settings,
  port: number,
  securePort: number | undefined,
  timeoutMs: number,
): Promise<Started> {
  await writeZooCfg(settings.configFile, settings.config, {
    clientPort: port,
    ...(securePort === undefined ? {} : secureClientPortEntries(securePort)),
  });
  const member = await launchMember({
    installation: settings.installation,
    mainClass: STANDALONE_MAIN,
    configFile: settings.configFile,
    logFile: settings.logFile,
    heap: settings.heap,
    properties: settings.properties,
  });
  const outcome = await awaitMemberReady(member, {
    host: HOST,
    port,
    modes: ['standalone'],
    dataDir: settings.dataDir,
    logFile: settings.logFile,
    timeoutMs: Math.max(timeoutMs, 0),
  });
  return outcome.ok ? { ok: true, jvm: member.jvm } : outcome;
}

async function prepare(
  options: ZooKeeperServerOptions,
  installation: ZooKeeperInstallation,
  workDir: string,
  removable: readonly string[],
): Promise<Settings> {
  for (const key of ['dataDir', 'clientPort'] as const) {
    if (options.config !== undefined && key in options.config) {
      throw new RangeError(`set ${key} through the server options, not config`);
    }
  }
  const dataDir = resolve(options.dataDir ?? join(workDir, 'data'));
  await mkdir(dataDir, { recursive: true });
  const logLevel = options.logLevel ?? 'info';
  const tls = await prepareTls(options.tls, workDir);
  const sasl = await saslSettings(workDir, options.sasl);
  return {
    installation: tls === undefined ? installation : await tlsInstallation(installation),
    workDir,
    dataDir,
    configFile: join(workDir, 'zoo.cfg'),
    logFile: join(workDir, 'zookeeper.log'),
    heap: options.heap ?? '256m',
    properties: {
      ...(await baseJvmProperties(workDir, logLevel)),
      ...sasl.properties,
      ...options.jvmProperties,
    },
    config: {
      tickTime: options.tickTime ?? 500,
      minSessionTimeout: options.minSessionTimeout ?? 1000,
      maxSessionTimeout: options.maxSessionTimeout ?? 60_000,
      dataDir,
      clientPortAddress: HOST,
      maxClientCnxns: 0,
      'admin.enableServer': false,
      ...tls?.config,
      ...sasl.config,
      ...options.config,
    },
    startTimeoutMs: options.startTimeoutMs ?? 30_000,
    stopTimeoutMs: options.stopTimeoutMs ?? 5_000,
    tls,
    removable,
  };
}

import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ZooKeeperStartError } from './errors.js';
import type { ZooKeeperInstallation } from './find-zookeeper.js';
import { JvmProcess } from './jvm-process.js';
import { lastLines, logSize, readLogFrom } from './log-file.js';
import { waitUntilServing } from './readiness.js';

export type ZooKeeperLogLevel = 'info' | 'warn' | 'debug';

export const STANDALONE_MAIN = 'org.apache.zookeeper.server.ZooKeeperServerMain';
export const QUORUM_PEER_MAIN = 'org.apache.zookeeper.server.quorum.QuorumPeerMain';

/** Lines of log quoted in start errors. */
const ERROR_LOG_LINES = 40;

/**
 * JVM properties every test server gets: all four-letter words (the harness and tests use more
 * than `srvr`), TTL nodes, a 200 ms container reaper instead of 60 s, no AdminServer (it would
 * bind 8080), and readable logs on stderr, which {@link JvmProcess} appends to the log file.
 */
export async function baseJvmProperties(
  workDir: string,
  logLevel: ZooKeeperLogLevel,
): Promise<Record<string, string>> {
  return {
    'zookeeper.admin.enableServer': 'false',
    'zookeeper.4lw.commands.whitelist': '*',
    'zookeeper.extendedTypesEnabled': 'true',
    'znode.container.checkIntervalMs': '200',
    ...(await loggingProperties(workDir, logLevel)),
  };
}

/**
 * Debian's jars log through slf4j-simple; Apache's 3.8+ releases bundle logback, whose default
 * without a config file is DEBUG on the console. Both are configured, each ignoring the other's
 * properties. Logging goes to stderr rather than slf4j-simple's logFile, which would truncate
 * the log on every restart and miss the JVM's own errors.
 */
async function loggingProperties(
  workDir: string,
  level: ZooKeeperLogLevel,
): Promise<Record<string, string>> {
  const logbackConfig = join(workDir, 'logback.xml');
  await writeFile(
    logbackConfig,
    [
      '<configuration>',
      '  <appender name="err" class="ch.qos.logback.core.ConsoleAppender">',
      '    <target>System.err</target>',
      '    <encoder><pattern>%d{yyyy-MM-dd HH:mm:ss.SSS} [%thread] %-5level %logger - %msg%n</pattern></encoder>',
      '  </appender>',
      `  <root level="${level.toUpperCase()}"><appender-ref ref="err"/></root>`,
      '</configuration>',
      '',
    ].join('\n'),
    'utf8',
  );
  return {
    'org.slf4j.simpleLogger.logFile': 'System.err',
    'org.slf4j.simpleLogger.defaultLogLevel': level,
    'org.slf4j.simpleLogger.showDateTime': 'true',
    'org.slf4j.simpleLogger.dateTimeFormat': 'yyyy-MM-dd HH:mm:ss.SSS',
    'logback.configurationFile': logbackConfig,
  };
}

export interface MemberLaunch {
  installation: ZooKeeperInstallation;
  mainClass: string;
  configFile: string;
  logFile: string;
  heap: string;
  properties: Record<string, string>;
}

/** A launched JVM and where its part of the (shared, appended) log starts. */
export interface LaunchedMember {
  jvm: JvmProcess;
  logOffset: number;
}

export async function launchMember(options: MemberLaunch): Promise<LaunchedMember> {
  const logOffset = await logSize(options.logFile);
  const jvm = await JvmProcess.launch({
    java: options.installation.java,
    classpath: options.installation.classpath,
    mainClass: options.mainClass,
    args: [options.configFile],
    heap: options.heap,
    properties: options.properties,
    logFile: options.logFile,
  });
  return { jvm, logOffset };
}

export interface AwaitReady {
  host: string;
  port: number;
  modes: readonly string[];
  dataDir: string;
  logFile: string;
  timeoutMs: number;
}

export type StartOutcome =
  | { readonly ok: true; readonly mode: string }
  | { readonly ok: false; readonly portInUse: boolean; readonly error: ZooKeeperStartError };

/**
 * Waits for a launched member to serve. On failure the JVM is gone (killed if it hung) and the
 * outcome says whether the cause was a taken port, which a caller that picked the port can fix
 * by picking another.
 */
export async function awaitMemberReady(
  member: LaunchedMember,
  options: AwaitReady,
): Promise<StartOutcome> {
  const readiness = await waitUntilServing({
    host: options.host,
    port: options.port,
    process: member.jvm,
    modes: options.modes,
    timeoutMs: options.timeoutMs,
    dataDir: options.dataDir,
  });
  if (readiness.state === 'ready') return { ok: true, mode: readiness.mode };

  let message: string;
  if (readiness.state === 'timeout') {
    await member.jvm.kill();
    const last = readiness.lastAnswer === undefined ? 'no answer' : readiness.lastAnswer;
    message =
      `ZooKeeper on ${options.host}:${options.port} did not report mode ` +
      `${options.modes.join('/')} within ${options.timeoutMs} ms (last srvr: ${last})`;
  } else {
    const { code, signal } = readiness.exit;
    message =
      `ZooKeeper on ${options.host}:${options.port} exited during start ` +
      `(${signal === null ? `code ${String(code)}` : `signal ${signal}`})`;
  }
  const ownLog = await readLogFrom(options.logFile, member.logOffset);
  const portInUse = readiness.state === 'exited' && isBindFailure(ownLog);
  const tail = lastLines(ownLog, ERROR_LOG_LINES);
  return {
    ok: false,
    portInUse,
    error: new ZooKeeperStartError(`${message}; log: ${options.logFile}`, tail),
  };
}

function isBindFailure(log: string): boolean {
  return /BindException|Address already in use/.test(log);
}

import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { findZooKeeper, ZooKeeperEnsemble, ZooKeeperServer } from '../testing/index.js';
import type { ZooKeeperServerTls } from '../testing/index.js';
import { parseArgs, UsageError } from './args.js';
import { Exit } from './exit-codes.js';
import { SignalTrap } from './signal-trap.js';

export const serverUsage = `Usage: zkcoord server [--ensemble 3|5] [--port N] [--tls] [--keep-data]

Starts a local ZooKeeper for development on 127.0.0.1 — one standalone server, or an ensemble
of 3 or 5 — prints its connect string and runs until Ctrl-C (SIGINT) or SIGTERM, then stops
every server process and exits 0. Needs Java and ZooKeeper (scripts/install-zookeeper.sh, or
Debian's zookeeper package; ZOOKEEPER_VERSION / ZOOKEEPER_HOME choose one).

Options:
  --ensemble <3|5>         an ensemble of that many members instead of one server
  --port <N>               the client port of a standalone server (default: a free one)
  --tls                    also a TLS client port, with fresh test certificates; the PEM files a
                           client needs (--tls-ca, --tls-cert, --tls-key) are written and named
  --keep-data              keep the data directory (and log) after stopping; default: removed
  --help                   this text
Output: "connect: <host:port,...>" (and "tls connect:", "tls files:" with --tls) lines on stdout.
Exit: 0 after Ctrl-C/SIGTERM, 64 usage, 69 ZooKeeper not installed or did not start, 70 a server
process died.
`;

const SYNOPSIS =
  'usage: zkcoord server [--ensemble 3|5] [--port N] [--tls] [--keep-data] (see --help)';
/** How often we look whether the servers still run. */
const POLL_MS = 500;

interface ServerCommand {
  readonly ensemble: 3 | 5 | undefined;
  readonly port: number | undefined;
  readonly tls: boolean;
  readonly keepData: boolean;
}

/** What `server` runs, whichever it started. */
interface Running {
  readonly description: string;
  readonly connectString: string;
  readonly workDir: string;
  readonly tls: Omit<ZooKeeperServerTls, 'port'> | undefined;
  readonly pids: () => readonly number[];
  readonly isRunning: () => boolean;
  stop(): Promise<void>;
}

function say(line: string): void {
  process.stderr.write(`zkcoord server: ${line}\n`);
}

const VALUED = ['ensemble', 'port'];
const BOOLEAN = ['tls', 'keep-data', 'help'];
/** For shell completion. */
export const SERVER_OPTIONS = [...VALUED, ...BOOLEAN].map((name) => `--${name}`);

function parseServerArgs(argv: readonly string[]): ServerCommand | undefined {
  const { positionals, flags } = parseArgs(argv, {
    valued: VALUED,
    boolean: BOOLEAN,
    short: { h: 'help' },
  });
  if (flags.has('help')) return undefined;
  const extra = positionals[0];
  if (extra !== undefined) throw new UsageError(`unexpected argument ${JSON.stringify(extra)}`);
  const size = flags.get('ensemble');
  if (size !== undefined && size !== '3' && size !== '5') {
    throw new UsageError(`--ensemble takes 3 or 5, got ${JSON.stringify(size)}`);
  }
  const portText = flags.get('port');
  const port = portText === undefined ? undefined : Number(portText);
  if (portText !== undefined && (!/^\d+$/.test(portText) || port === 0 || (port ?? 0) > 65535)) {
    throw new UsageError(
      `--port takes a port number from 1 to 65535, got ${JSON.stringify(portText)}`,
    );
  }
  if (port !== undefined && size !== undefined) {
    throw new UsageError('--port is for a standalone server; an ensemble picks free ports');
  }
  return {
    ensemble: size === undefined ? undefined : size === '3' ? 3 : 5,
    port,
    tls: flags.has('tls'),
    keepData: flags.has('keep-data'),
  };
}

/** `zkcoord server`: its exit status. */
export async function runServer(argv: readonly string[]): Promise<number> {
  let command: ServerCommand | undefined;
  try {
    command = parseServerArgs(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`zkcoord server: ${error.message}\n${SYNOPSIS}\n`);
    return Exit.usage;
  }
  if (command === undefined) {
    process.stdout.write(serverUsage);
    return Exit.ok;
  }
  // From the start: a Ctrl-C while the JVMs start must still stop them.
  using signals = new SignalTrap();
  let running: Running;
  try {
    running = await start(command);
  } catch (error) {
    say(`could not start ZooKeeper: ${error instanceof Error ? error.message : String(error)}`);
    return Exit.unavailable;
  }
  try {
    if (!signals.signal.aborted) await announce(running, command);
    while (!signals.signal.aborted) {
      if (!running.isRunning()) {
        say(`a server process exited by itself; see the log in ${running.workDir}`);
        return Exit.software;
      }
      await sleep(POLL_MS, undefined, { signal: signals.signal }).catch(() => undefined);
    }
    say(`${String(signals.signal.reason)}: stopping`);
    return Exit.ok;
  } finally {
    await running.stop();
    say(command.keepData ? `stopped; data kept in ${running.workDir}` : 'stopped');
  }
}

async function start(command: ServerCommand): Promise<Running> {
  const installation = await findZooKeeper();
  const version =
    installation.version === undefined ? 'ZooKeeper' : `ZooKeeper ${installation.version}`;
  const common = {
    installation,
    keepData: command.keepData,
    logLevel: 'warn' as const,
    ...(command.tls ? { tls: true as const } : {}),
  };
  if (command.ensemble === undefined) {
    const server = await ZooKeeperServer.start({
      ...common,
      ...(command.port === undefined ? {} : { port: command.port }),
    });
    return {
      description: `${version} standalone`,
      connectString: server.connectString,
      workDir: server.workDir,
      tls: server.tls,
      pids: () => [server.pid],
      isRunning: () => server.isRunning(),
      stop: () => server.stop(),
    };
  }
  const ensemble = await ZooKeeperEnsemble.start({ ...common, size: command.ensemble });
  return {
    description: `${version} ensemble of ${command.ensemble}`,
    connectString: ensemble.connectString(),
    workDir: ensemble.workDir,
    tls: ensemble.tls,
    pids: () => ensemble.members.map((member) => member.pid),
    isRunning: () => ensemble.members.every((member) => member.isRunning()),
    stop: () => ensemble.stop(),
  };
}

async function announce(running: Running, command: ServerCommand): Promise<void> {
  const lines: [string, string][] = [['connect', running.connectString]];
  if (running.tls !== undefined) {
    const files = await writeTlsFiles(running.workDir, running.tls);
    lines.push(['tls connect', running.tls.connectString]);
    lines.push([
      'tls files',
      `--tls-ca ${files.ca} --tls-cert ${files.cert} --tls-key ${files.key}`,
    ]);
  }
  lines.push(['pids', running.pids().join(' ')]);
  lines.push(['data', `${running.workDir}${command.keepData ? ' (kept)' : ' (removed on stop)'}`]);
  const width = Math.max(...lines.map(([key]) => key.length)) + 1;
  process.stdout.write(`${running.description} is up; Ctrl-C stops it.\n`);
  for (const [key, value] of lines) process.stdout.write(`${`${key}:`.padEnd(width)} ${value}\n`);
  process.stdout.write(
    `try:${' '.repeat(width - 3)}zkcoord ls / --connect ${running.connectString}\n`,
  );
}

/** The PEMs a client needs, next to the server's own files (gone with them unless kept). */
async function writeTlsFiles(
  workDir: string,
  tls: Omit<ZooKeeperServerTls, 'port'>,
): Promise<{ ca: string; cert: string; key: string }> {
  const dir = join(workDir, 'client-tls');
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const files = {
    ca: join(dir, 'ca.pem'),
    cert: join(dir, 'client.pem'),
    key: join(dir, 'client-key.pem'),
  };
  await writeFile(files.ca, tls.ca);
  await writeFile(files.cert, tls.cert);
  await writeFile(files.key, tls.key, { mode: 0o600 });
  await chmod(files.key, 0o600);
  return files;
}

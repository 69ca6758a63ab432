import {
  AuthFailedError,
  BadArgumentsError,
  BadVersionError,
  ConnectionLossError,
  InvalidACLError,
  InvalidArgumentError,
  NoAuthError,
  NoChildrenForEphemeralsError,
  NodeExistsError,
  NoNodeError,
  NotEmptyError,
  parseConnectString,
  RequestTimeoutError,
  SessionExpiredError,
  validatePath,
  ZooKeeper,
} from '../index.js';
import type { ZooKeeperOptions } from '../index.js';
import { parseArgs, UsageError } from './args.js';
import { parseDuration } from './durations.js';
import { Exit } from './exit-codes.js';
import {
  SECURITY_BOOLEAN,
  SECURITY_REPEATABLE,
  SECURITY_VALUED,
  securityHelp,
  securityOptions,
} from './security-options.js';
import type { SecurityOptions } from './security-options.js';

/** Something the data itself makes impossible (not JSON, not UTF-8): exit 65, like a refused write. */
export class DataError extends Error {}

/** What a command reads off its command line, before anything connects. */
export interface Invocation {
  readonly positionals: readonly string[];
  readonly flags: ReadonlyMap<string, string>;
}

/** Where a command's output goes: JSON (one line) with `--json`, the human form otherwise. */
export interface Io {
  readonly json: boolean;
  /** `value` as one JSON line with --json, else `human` (a newline is added unless empty). */
  output(value: unknown, human: string): void;
  /** Raw bytes or text to stdout, as they are. */
  write(chunk: string | Uint8Array): void;
  /** One line on stderr, prefixed with the command's name. */
  note(line: string): void;
}

export interface CommandSpec<Plan> {
  /** As typed after `zkcoord`: `ls`, `acl get`. */
  readonly name: string;
  /** The usage line without `zkcoord `. */
  readonly synopsis: string;
  /** What it does, its own options, its output; the global options are appended. */
  readonly help: string;
  readonly valued?: readonly string[];
  readonly boolean?: readonly string[];
  /** Single-letter aliases of its boolean flags. */
  readonly short?: Readonly<Record<string, string>>;
  /** Whether it takes `--json`. */
  readonly json?: boolean;
  readonly connectOptions?: ZooKeeperOptions;
  /** Checks the command line (UsageError → 64) and reads stdin, before connecting. */
  plan(invocation: Invocation): Plan | Promise<Plan>;
  /** Does the work; success is exit 0, a rejection is reported by describeFailure. */
  run(zk: ZooKeeper, plan: Plan, io: Io): Promise<void>;
}

export interface Command {
  readonly name: string;
  readonly synopsis: string;
  /** Every option it takes, as typed (`--connect`, `-R`): for shell completion. */
  readonly options: readonly string[];
  execute(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<number>;
}

const GLOBAL_VALUED = ['connect', 'session-timeout', ...SECURITY_VALUED] as const;
const GLOBAL_BOOLEAN = ['help', 'debug', ...SECURITY_BOOLEAN] as const;

const globalHelp = (json: boolean): string => `Global options:
  --connect <servers>      host:port,...[/chroot] (default: $ZKCOORD_CONNECT)
  --session-timeout <dur>  session timeout, also how long connecting may take (default 10s)
${securityHelp(27)}${json ? '  --json                   one line of JSON instead of the human form (see docs/cli.md)\n' : ''}  --debug                  print stack traces of errors
  --help, -h               this text
Exit: 0 ok, 64 usage, 65 refused (node exists, bad version, not empty, bad data),
66 no such node, 69 servers unreachable, 70 other failure, 77 not allowed (ACL or auth).
`;

export function defineCommand<Plan>(spec: CommandSpec<Plan>): Command {
  const say = (line: string): void => {
    process.stderr.write(`zkcoord ${spec.name}: ${line}\n`);
  };
  const help = `Usage: zkcoord ${spec.synopsis}\n\n${spec.help}\n${globalHelp(spec.json === true)}`;
  return {
    name: spec.name,
    synopsis: spec.synopsis,
    options: [
      ...[...GLOBAL_VALUED, ...GLOBAL_BOOLEAN, ...(spec.json === true ? ['json'] : [])],
      ...(spec.valued ?? []),
      ...(spec.boolean ?? []),
    ]
      .map((name) => `--${name}`)
      .concat(Object.keys({ h: 'help', ...spec.short }).map((letter) => `-${letter}`)),
    async execute(argv, env) {
      // Known before parsing, which may fail; `--debug` after `--` is data, not the flag.
      const dashes = argv.indexOf('--');
      const debug = (dashes === -1 ? argv : argv.slice(0, dashes)).includes('--debug');
      let prepared: {
        plan: Plan;
        connect: string;
        sessionTimeoutMs: number;
        security: SecurityOptions;
        json: boolean;
      };
      try {
        const { positionals, flags, lists, rest } = parseArgs(argv, {
          valued: [...GLOBAL_VALUED, ...(spec.valued ?? [])],
          repeatable: SECURITY_REPEATABLE,
          boolean: [
            ...GLOBAL_BOOLEAN,
            ...(spec.json === true ? ['json'] : []),
            ...(spec.boolean ?? []),
          ],
          short: { h: 'help', ...spec.short },
        });
        if (flags.has('help')) {
          process.stdout.write(help);
          return Exit.ok;
        }
        const connect = connectString(flags, env);
        const sessionTimeoutMs = parseDuration(
          '--session-timeout',
          flags.get('session-timeout') ?? '10s',
        );
        if (sessionTimeoutMs === 0) throw new UsageError('--session-timeout must be more than 0');
        const security = securityOptions(flags, lists, env);
        // After `--`, arguments are data even when they look like options (`set /n -- -1`).
        const plan = await spec.plan({ positionals: [...positionals, ...(rest ?? [])], flags });
        prepared = { plan, connect, sessionTimeoutMs, security, json: flags.has('json') };
      } catch (error) {
        if (!(error instanceof UsageError)) return report(error, '', say, debug);
        process.stderr.write(
          `zkcoord ${spec.name}: ${error.message}\nusage: zkcoord ${spec.synopsis} (see --help)\n`,
        );
        return Exit.usage;
      }
      const { plan, connect, sessionTimeoutMs, security, json } = prepared;
      let zk: ZooKeeper | undefined;
      try {
        zk = await ZooKeeper.connect(connect, {
          sessionTimeout: sessionTimeoutMs,
          connectTimeout: sessionTimeoutMs,
          requestTimeout: sessionTimeoutMs,
          ...security,
          ...spec.connectOptions,
        });
        await spec.run(zk, plan, stdio(json, say));
        return Exit.ok;
      } catch (error) {
        return report(error, connect, say, debug);
      } finally {
        await zk?.close().catch(() => undefined);
      }
    },
  };
}

/** `--connect`, or $ZKCOORD_CONNECT, checked: a usage error when missing or malformed. */
export function connectString(flags: ReadonlyMap<string, string>, env: NodeJS.ProcessEnv): string {
  const connect = flags.get('connect') ?? env.ZKCOORD_CONNECT;
  if (connect === undefined || connect === '') {
    throw new UsageError('missing --connect host:port,... (or ZKCOORD_CONNECT)');
  }
  try {
    parseConnectString(connect);
  } catch (error) {
    throw new UsageError(`--connect: ${messageOf(error)}`);
  }
  return connect;
}

function stdio(json: boolean, say: (line: string) => void): Io {
  return {
    json,
    output(value, human) {
      if (json) process.stdout.write(`${JSON.stringify(value)}\n`);
      else if (human !== '') process.stdout.write(human.endsWith('\n') ? human : `${human}\n`);
    },
    write(chunk) {
      process.stdout.write(chunk);
    },
    note: say,
  };
}

function report(
  error: unknown,
  connect: string,
  say: (line: string) => void,
  debug: boolean,
): number {
  const { status, message } = describeFailure(error, connect);
  say(message);
  if (debug && error instanceof Error && error.stack !== undefined) {
    process.stderr.write(`${error.stack}\n`);
  }
  return status;
}

/** Refusals of a write that a script may want to tell from a missing node or an outage. */
const REFUSED = [
  NodeExistsError,
  BadVersionError,
  NotEmptyError,
  NoChildrenForEphemeralsError,
  InvalidACLError,
  BadArgumentsError,
];

/** One line and an exit status for what stopped a command. */
export function describeFailure(
  error: unknown,
  connect: string,
): { status: number; message: string } {
  const message = messageOf(error).split('\n')[0] ?? '';
  if (
    error instanceof ConnectionLossError ||
    error instanceof RequestTimeoutError ||
    error instanceof SessionExpiredError
  ) {
    return { status: Exit.unavailable, message: `ZooKeeper unavailable: ${message}` };
  }
  if (error instanceof AuthFailedError || error instanceof NoAuthError) {
    return { status: Exit.noPermission, message: `not allowed: ${message}` };
  }
  if (error instanceof NoNodeError) {
    const hint = connect.includes('/') ? ' (does the chroot exist?)' : '';
    return { status: Exit.noNode, message: `${message}${hint}` };
  }
  if (REFUSED.some((refusal) => error instanceof refusal) || error instanceof DataError) {
    return { status: Exit.dataError, message };
  }
  if (error instanceof InvalidArgumentError) return { status: Exit.usage, message };
  return { status: Exit.software, message };
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** A node path argument, checked as the library checks paths (absolute, no empty segments). */
export function pathArgument(path: string | undefined, what = 'path'): string {
  if (path === undefined) throw new UsageError(`missing the ${what}`);
  try {
    validatePath(path);
  } catch (error) {
    throw new UsageError(messageOf(error));
  }
  return path;
}

/** Fails on arguments beyond the `expected` first ones. */
export function noMoreArguments(positionals: readonly string[], expected: number): void {
  const extra = positionals[expected];
  if (extra !== undefined) throw new UsageError(`unexpected argument ${JSON.stringify(extra)}`);
}

/** `--version N`: the node version a write expects; absent means any. */
export function versionFlag(flags: ReadonlyMap<string, string>): { version?: number } {
  const text = flags.get('version');
  if (text === undefined) return {};
  const version = Number(text);
  if (
    !/^-?\d+$/.test(text) ||
    !Number.isSafeInteger(version) ||
    version < -1 ||
    version > 2 ** 31 - 1
  ) {
    throw new UsageError(
      `--version takes a node version (0 or more, or -1 for any), got ${JSON.stringify(text)}`,
    );
  }
  return { version };
}

/** A data argument: the text as UTF-8, or all of stdin for `-`. */
export async function dataArgument(text: string | undefined): Promise<Buffer | undefined> {
  if (text === undefined) return undefined;
  if (text !== '-') return Buffer.from(text, 'utf8');
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

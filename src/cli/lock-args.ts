import { validatePath } from '../index.js';
import { parseArgs, UsageError } from './args.js';
import { connectString } from './define-command.js';
import { parseDuration } from './durations.js';
import {
  SECURITY_BOOLEAN,
  SECURITY_REPEATABLE,
  SECURITY_VALUED,
  securityHelp,
  securityOptions,
} from './security-options.js';
import type { SecurityOptions } from './security-options.js';

export const lockUsage = `Usage: zkcoord lock <path> --connect host:port,...[/chroot] [options] -- <cmd> [args...]

Runs <cmd> while holding a ZooKeeper lock on <path>; the lock is released when it exits.

Options:
  --connect <servers>        host:port,...[/chroot] (default: $ZKCOORD_CONNECT)
  --timeout <duration>       give up waiting after this long (exit 76); default: wait forever
  --no-wait                  exit 76 at once unless the lock is free
  --session-timeout <dur>    ZooKeeper session timeout, also the connect timeout (default 10s)
  --grace <duration>         after the hold is lost: SIGTERM, then SIGKILL after this (default 5s)
  --read | --write           take the read or the write side of a read/write lock
  --semaphore <N>            take one of N leases of a semaphore
  --verbose                  say on stderr when waiting, acquired and released
  --help                     this text
Connecting:
${securityHelp(29)}Durations: 500ms, 30s, 2m; a bare number is milliseconds.
The command gets ZKCOORD_FENCING_TOKEN and ZKCOORD_LOCK_NODE in its environment.
Exit: the command's status (128+N if killed by signal N), 64 usage, 69 servers unreachable,
75 hold lost, 76 not acquired, 77 auth failed, 126/127 command not runnable.
`;

export type LockKind =
  | { readonly kind: 'mutex' }
  | { readonly kind: 'read' }
  | { readonly kind: 'write' }
  | { readonly kind: 'semaphore'; readonly leases: number };

export interface LockCommand {
  readonly path: string;
  readonly connect: string;
  /** Absent: wait as long as it takes. */
  readonly timeoutMs: number | undefined;
  readonly noWait: boolean;
  readonly sessionTimeoutMs: number;
  /** Authentication and TLS, as given. */
  readonly security: SecurityOptions;
  readonly graceMs: number;
  readonly lock: LockKind;
  readonly verbose: boolean;
  readonly command: string;
  readonly args: readonly string[];
}

const VALUED = [
  'connect',
  'timeout',
  'session-timeout',
  'grace',
  'semaphore',
  ...SECURITY_VALUED,
] as const;
const BOOLEAN = ['no-wait', 'read', 'write', 'verbose', 'help', ...SECURITY_BOOLEAN] as const;
/** For shell completion. */
export const LOCK_OPTIONS = [...VALUED, ...BOOLEAN].map((name) => `--${name}`);

/** `undefined` for `--help`; otherwise a complete command, or a UsageError. */
export function parseLockArgs(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
): LockCommand | undefined {
  const { positionals, flags, lists, rest } = parseArgs(argv, {
    valued: VALUED,
    boolean: BOOLEAN,
    repeatable: SECURITY_REPEATABLE,
  });
  if (flags.has('help')) return undefined;
  const [path, ...extra] = positionals;
  if (path === undefined) throw new UsageError('missing the lock path');
  if (extra.length > 0) {
    throw new UsageError(
      `unexpected argument ${JSON.stringify(extra[0])} (put the command after --)`,
    );
  }
  try {
    validatePath(path);
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : 'invalid lock path');
  }
  if (path === '/') throw new UsageError('the lock path cannot be /');
  const [command, ...args] = rest ?? [];
  if (command === undefined || command === '') {
    throw new UsageError('missing the command to run (after --)');
  }
  const lock = lockKind(flags);
  const connect = connectString(flags, env);
  const timeout = flags.get('timeout');
  if (timeout !== undefined && flags.has('no-wait')) {
    throw new UsageError('--timeout and --no-wait exclude each other');
  }
  const sessionTimeoutMs = parseDuration(
    '--session-timeout',
    flags.get('session-timeout') ?? '10s',
  );
  if (sessionTimeoutMs === 0) throw new UsageError('--session-timeout must be more than 0');
  return {
    path,
    connect,
    timeoutMs: timeout === undefined ? undefined : parseDuration('--timeout', timeout),
    noWait: flags.has('no-wait'),
    sessionTimeoutMs,
    security: securityOptions(flags, lists, env),
    graceMs: parseDuration('--grace', flags.get('grace') ?? '5s'),
    lock,
    verbose: flags.has('verbose'),
    command,
    args,
  };
}

function lockKind(flags: Map<string, string>): LockKind {
  const chosen = ['read', 'write', 'semaphore'].filter((name) => flags.has(name));
  if (chosen.length > 1) {
    throw new UsageError(`${chosen.map((name) => `--${name}`).join(' and ')} exclude each other`);
  }
  if (flags.has('read')) return { kind: 'read' };
  if (flags.has('write')) return { kind: 'write' };
  const leases = flags.get('semaphore');
  if (leases === undefined) return { kind: 'mutex' };
  const n = Number(leases);
  if (!/^\d+$/.test(leases) || !Number.isSafeInteger(n) || n < 1) {
    throw new UsageError(
      `--semaphore takes a number of leases of 1 or more, got ${JSON.stringify(leases)}`,
    );
  }
  return { kind: 'semaphore', leases: n };
}

import { parseArgs, UsageError } from './args.js';
import type { DemoOptions } from './demo.js';
import { parseDuration } from './durations.js';

export const demoUsage = `usage: zkcoord demo [--workers N] [--connect host:port,...] [--session-timeout 4s] [--contend 6s]

Starts a local ZooKeeper (unless --connect names one), then N worker processes, each with its own
session, contend for one lock, shown live: the holder and its fencing token, the queue, the rate.
After --contend the holder's process is killed with SIGKILL; the next one takes over once ZooKeeper
expires the dead session (--session-timeout). A summary checks that fencing tokens only grew and no
update of the shared counter was lost (exit 0), and everything is stopped. Ctrl-C stops it at any
time (exit 130).

  --workers N              contending processes, 2 to 50 (default 5)
  --connect <servers>      use these servers instead of a local one (a fresh /zkcoord-demo-* path
                           is used and removed)
  --session-timeout <dur>  the workers' session timeout (default 4s)
  --contend <dur>          how long they contend before the holder is killed (default 6s)
`;

const VALUED = ['workers', 'connect', 'session-timeout', 'contend'];

/** Every option of `zkcoord demo`, for shell completion. */
export const demoOptions = [...VALUED, 'help'].map((name) => `--${name}`);

/** The demo's options, or undefined for --help. */
export function parseDemoArgs(argv: readonly string[]): DemoOptions | undefined {
  const { positionals, flags } = parseArgs(argv, {
    valued: VALUED,
    boolean: ['help'],
  });
  if (flags.has('help')) return undefined;
  if (positionals.length > 0) throw new UsageError(`unexpected argument ${positionals[0] ?? ''}`);
  const workersText = flags.get('workers') ?? '5';
  const workers = Number(workersText);
  if (!Number.isInteger(workers) || workers < 2 || workers > 50) {
    throw new UsageError(`--workers must be an integer from 2 to 50, got ${workersText}`);
  }
  return {
    workers,
    connect: flags.get('connect'),
    sessionTimeoutMs: parseDuration('--session-timeout', flags.get('session-timeout') ?? '4s'),
    contendMs: parseDuration('--contend', flags.get('contend') ?? '6s'),
  };
}

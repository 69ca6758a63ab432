import { ZooKeeper } from '../index.js';
import { LeaseLostError, LockTimeoutError } from '../recipes/index.js';
import type { LockLease } from '../recipes/index.js';
import { UsageError } from './args.js';
import { describeFailure as describeCommandFailure, messageOf } from './define-command.js';
import { Exit } from './exit-codes.js';
import { signalChild, startChild } from './child.js';
import { lockUsage, parseLockArgs } from './lock-args.js';
import type { LockCommand } from './lock-args.js';
import { openLock } from './lock-kinds.js';
import { SignalTrap } from './signal-trap.js';

const SYNOPSIS =
  'usage: zkcoord lock <path> --connect host:port,... [options] -- <cmd> [args...] (see --help)';

function say(line: string): void {
  process.stderr.write(`zkcoord lock: ${line}\n`);
}

/** `zkcoord lock`: the exit status of the whole command; nothing goes to stdout but the child's. */
export async function runLock(argv: readonly string[]): Promise<number> {
  let command: LockCommand | undefined;
  try {
    command = parseLockArgs(argv, process.env);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`zkcoord lock: ${error.message}\n${SYNOPSIS}\n`);
    return Exit.usage;
  }
  if (command === undefined) {
    process.stdout.write(lockUsage);
    return 0;
  }
  using signals = new SignalTrap();
  try {
    return await new LockRun(command, signals).run();
  } catch (error) {
    const { status, message } = describeFailure(error, command);
    say(message);
    return status;
  }
}

class LockRun {
  constructor(
    private readonly command: LockCommand,
    private readonly signals: SignalTrap,
  ) {}

  private verbose(line: string): void {
    if (this.command.verbose) say(line);
  }

  async run(): Promise<number> {
    const connecting = ZooKeeper.connect(this.command.connect, {
      sessionTimeout: this.command.sessionTimeoutMs,
      connectTimeout: this.command.sessionTimeoutMs,
      ...this.command.security,
    });
    const zk = await raceSignal(connecting, this.signals.signal);
    if (zk === undefined) {
      // Interrupted while connecting. The process exits right after (main.ts), and a session that
      // opens meanwhile goes with its connection; nothing of it is held yet.
      connecting.catch(() => undefined);
      return this.signals.status ?? Exit.software;
    }
    try {
      const lease = await this.acquire(zk);
      if (typeof lease === 'number') return lease;
      try {
        if (this.signals.status !== undefined) return this.signals.status;
        return await this.hold(lease);
      } finally {
        await this.release(lease);
      }
    } finally {
      await zk.close().catch(() => undefined);
    }
  }

  /** The lease, or the exit status when we did not get one. */
  private async acquire(zk: ZooKeeper): Promise<LockLease | number> {
    const { path, noWait, timeoutMs } = this.command;
    const lock = openLock(zk, path, this.command.lock);
    if (noWait) {
      const lease = await lock.tryAcquire();
      if (lease !== undefined) return lease;
      say(`not acquired: ${path} is not free (--no-wait)`);
      return Exit.notAcquired;
    }
    this.verbose(`waiting for ${path}`);
    try {
      return await lock.acquire({
        signal: this.signals.signal,
        ...(timeoutMs === undefined ? {} : { timeout: timeoutMs }),
      });
    } catch (error) {
      // Interrupted: whatever the wait ended with, the signal is why we stop.
      const interrupted = this.signals.status;
      if (interrupted !== undefined) return interrupted;
      if (!(error instanceof LockTimeoutError)) throw error;
      say(`not acquired: ${error.message}`);
      return Exit.notAcquired;
    }
  }

  /** Runs the command under the lease; its status, or 75 if the hold was lost meanwhile. */
  private async hold(lease: LockLease): Promise<number> {
    this.verbose(`acquired ${lease.path} (fencing token ${lease.fencingToken})`);
    const child = startChild(this.command.command, this.command.args, {
      ...process.env,
      ZKCOORD_FENCING_TOKEN: lease.fencingToken.toString(),
      ZKCOORD_LOCK_NODE: lease.path,
    });
    this.signals.forwardTo((signal) => {
      signalChild(child.process, signal);
    });
    let killTimer: NodeJS.Timeout | undefined;
    const onLost = (): void => {
      const reason: unknown = lease.signal.reason;
      const why = reason instanceof LeaseLostError ? reason.message : 'the hold was lost';
      say(`${why}; stopping ${this.command.command} (SIGKILL in ${this.command.graceMs} ms)`);
      signalChild(child.process, 'SIGTERM');
      killTimer = setTimeout(() => {
        signalChild(child.process, 'SIGKILL');
      }, this.command.graceMs);
    };
    if (lease.signal.aborted) onLost();
    else lease.signal.addEventListener('abort', onLost, { once: true });
    try {
      const end = await child.ended;
      if (!end.ran) {
        say(`cannot run ${this.command.command}: ${spawnProblem(end.error)}`);
        return end.status;
      }
      // Whatever the child did after the hold was lost, its work was not protected by the lock.
      return lease.signal.aborted ? Exit.holdLost : end.status;
    } finally {
      clearTimeout(killTimer);
      lease.signal.removeEventListener('abort', onLost);
    }
  }

  /**
   * Releases and waits for it: a release settles within a session timeout, at once when the
   * session is already lost. Failures are reported but do not change the exit status.
   */
  private async release(lease: LockLease): Promise<void> {
    try {
      await lease.release();
      this.verbose(`released ${lease.path}`);
    } catch (error) {
      this.verbose(`release of ${lease.path} unconfirmed: ${messageOf(error)}`);
    }
  }
}

/** The value, or undefined as soon as `signal` aborts. */
function raceSignal<T>(promise: Promise<T>, signal: AbortSignal): Promise<T | undefined> {
  if (signal.aborted) return Promise.resolve(undefined);
  return new Promise<T | undefined>((resolve, reject) => {
    const onAbort = (): void => {
      resolve(undefined);
    };
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => {
      signal.removeEventListener('abort', onAbort);
    });
  });
}

function spawnProblem(error: NodeJS.ErrnoException): string {
  if (error.code === 'ENOENT') return 'command not found';
  if (error.code === 'EACCES') return 'permission denied';
  return error.message;
}

/**
 * One line and an exit status for what stopped us before the command could run: as for the data
 * commands, except that the lock's documented statuses have no "no node" or "refused" code.
 */
function describeFailure(
  error: unknown,
  command: LockCommand,
): { status: number; message: string } {
  const failure = describeCommandFailure(error, command.connect);
  const own = failure.status === Exit.noNode || failure.status === Exit.dataError;
  return own ? { ...failure, status: Exit.software } : failure;
}

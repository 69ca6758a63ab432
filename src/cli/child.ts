import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { constants } from 'node:os';

/** How the child ended: exited (its status, 128+N for signal N, as a shell reports it), or never ran. */
export type ChildEnd =
  | { readonly ran: true; readonly status: number }
  | { readonly ran: false; readonly error: NodeJS.ErrnoException; readonly status: number };

export interface Child {
  readonly process: ChildProcess;
  readonly ended: Promise<ChildEnd>;
}

/**
 * Starts the command with our stdin/stdout/stderr, so it talks to whoever called zkcoord. A
 * command that cannot be started ends as a shell would report it: 127 not found, 126 otherwise.
 */
export function startChild(
  command: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv,
): Child {
  const child = spawn(command, args, { stdio: 'inherit', env });
  const ended = new Promise<ChildEnd>((resolve) => {
    child.on('error', (error: NodeJS.ErrnoException) => {
      // 'error' also reports a failed kill(); only a child that never got a pid failed to start.
      if (child.pid === undefined) {
        resolve({ ran: false, error, status: error.code === 'ENOENT' ? 127 : 126 });
      }
    });
    child.once('exit', (code, signal) => {
      resolve({ ran: true, status: code ?? 128 + signalNumber(signal) });
    });
  });
  return { process: child, ended };
}

function signalNumber(signal: NodeJS.Signals | null): number {
  return signal === null ? 0 : constants.signals[signal];
}

/** Sends a signal if the child still runs; a child that just exited is not an error. */
export function signalChild(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  try {
    child.kill(signal);
  } catch {
    // Exited between the check and the kill.
  }
}

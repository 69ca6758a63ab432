import { rmSync } from 'node:fs';

/**
 * Every live server process group this Node process started, and every temp directory not yet
 * removed, so that none outlives it: a test that throws, a forgotten stop(), process.exit() or
 * Ctrl-C must not leave a JVM holding a port, nor a directory in /tmp. (A SIGKILL of this
 * process cannot be handled; nothing here helps then.)
 */
const groups = new Set<number>();
const directories = new Set<string>();

const HANDLED_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
type HandledSignal = (typeof HANDLED_SIGNALS)[number];

let exitHookInstalled = false;
let signalHandlersInstalled = false;

/** Tracks a process group (its leader's pid) until {@link untrackProcessGroup}. */
export function trackProcessGroup(pid: number): void {
  groups.add(pid);
  installHandlers();
}

/** Called once the group has exited. */
export function untrackProcessGroup(pid: number): void {
  groups.delete(pid);
  removeHandlersIfIdle();
}

/** Tracks a directory to delete if this process exits before {@link untrackDirectory}. */
export function trackDirectory(dir: string): void {
  directories.add(dir);
  installHandlers();
}

export function untrackDirectory(dir: string): void {
  directories.delete(dir);
  removeHandlersIfIdle();
}

/** Pids of process groups still tracked (for diagnostics and tests). */
export function trackedProcessGroups(): number[] {
  return [...groups];
}

function installHandlers(): void {
  if (!exitHookInstalled) {
    // Harmless with nothing tracked, so it stays once installed.
    process.on('exit', cleanUpSync);
    exitHookInstalled = true;
  }
  if (!signalHandlersInstalled) {
    for (const signal of HANDLED_SIGNALS) process.on(signal, onSignal);
    signalHandlersInstalled = true;
  }
}

/**
 * A listener on SIGINT/SIGTERM disables Node's default "die on signal"; hold them only while
 * there is something to clean up.
 */
function removeHandlersIfIdle(): void {
  if (groups.size === 0 && directories.size === 0) removeSignalHandlers();
}

function removeSignalHandlers(): void {
  if (!signalHandlersInstalled) return;
  for (const signal of HANDLED_SIGNALS) process.off(signal, onSignal);
  signalHandlersInstalled = false;
}

/** Synchronous because it runs in 'exit', where asynchronous work never completes. */
function cleanUpSync(): void {
  for (const pid of groups) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
  groups.clear();
  for (const dir of directories) {
    try {
      // Retries cover a dying JVM that still finishes a write after SIGKILL was sent.
      rmSync(dir, { recursive: true, force: true, maxRetries: 3, retryDelay: 20 });
    } catch {
      // Best effort: exiting must not fail because a temp directory could not be removed.
    }
  }
  directories.clear();
}

function onSignal(signal: HandledSignal): void {
  cleanUpSync();
  const othersListen = process.listenerCount(signal) > 1;
  removeSignalHandlers();
  // With other listeners the user's code decides what the signal means; without them, restore
  // the default (terminate by this signal) as if we had never listened.
  if (!othersListen) process.kill(process.pid, signal);
}

import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { trackProcessGroup, untrackProcessGroup } from './process-registry.js';

export interface JvmLaunch {
  java: string;
  classpath: readonly string[];
  mainClass: string;
  args: readonly string[];
  /** Maximum heap, as in `-Xmx` (`'256m'`). */
  heap: string;
  /** `-D` system properties. */
  properties: Readonly<Record<string, string>>;
  /** stdout and stderr are appended here, so JVM errors and the server log share one file. */
  logFile: string;
}

export interface JvmExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/**
 * One JVM in its own process group. Signals go to the whole group, so a pause or a kill reaches
 * every process the JVM might have forked, and a Ctrl-C aimed at the test runner's group does not
 * reach it directly (the registry decides what happens to it).
 */
export class JvmProcess {
  readonly pid: number;
  /** Settles once, when the process has exited (never rejects). */
  readonly exited: Promise<JvmExit>;
  #exit: JvmExit | undefined;
  readonly #child: ChildProcess;

  private constructor(child: ChildProcess, pid: number, exited: Promise<JvmExit>) {
    this.#child = child;
    this.pid = pid;
    this.exited = exited.then((exit) => {
      this.#exit = exit;
      return exit;
    });
  }

  /** Rejects only if the JVM could not be spawned at all (for example `java` not executable). */
  static async launch(options: JvmLaunch): Promise<JvmProcess> {
    const argv = [
      `-Xmx${options.heap}`,
      '-cp',
      options.classpath.join(':'),
      ...Object.entries(options.properties).map(([key, value]) => `-D${key}=${value}`),
      options.mainClass,
      ...options.args,
    ];
    const fd = openSync(options.logFile, 'a');
    let child: ChildProcess;
    try {
      child = spawn(options.java, argv, { detached: true, stdio: ['ignore', fd, fd] });
    } finally {
      // The child holds its own copy of the descriptor.
      closeSync(fd);
    }
    const spawnError = new Promise<Error>((resolve) => child.on('error', resolve));
    const pid = child.pid;
    if (pid === undefined) {
      const cause = await spawnError;
      throw new Error(`could not run ${options.java}: ${cause.message}`, { cause });
    }
    // Registered before anything can throw, so no path leaves an untracked JVM behind.
    trackProcessGroup(pid);
    const exited = new Promise<JvmExit>((resolve) => {
      child.once('exit', (code, signal) => {
        resolve({ code, signal });
      });
    });
    // A running server must not keep the Node event loop alive: a script that forgets stop()
    // should still end, and the registry's exit hook then kills the JVM.
    child.unref();
    const handle = new JvmProcess(child, pid, exited);
    void handle.exited.then(() => {
      untrackProcessGroup(pid);
    });
    return handle;
  }

  isRunning(): boolean {
    return this.#exit === undefined;
  }

  get exitStatus(): JvmExit | undefined {
    return this.#exit;
  }

  /** Signals the whole process group; a no-op once it has exited. */
  signal(signal: NodeJS.Signals): void {
    if (!this.isRunning()) return;
    try {
      process.kill(-this.pid, signal);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
    }
  }

  /** Resolves with the exit, or with undefined if it has not exited within `timeoutMs`. */
  async waitForExit(timeoutMs: number): Promise<JvmExit | undefined> {
    if (this.#exit !== undefined) return this.#exit;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<undefined>((resolve) => {
      timer = setTimeout(() => {
        resolve(undefined);
      }, timeoutMs);
    });
    try {
      return await Promise.race([this.exited, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Waits for the exit with the child referenced, so Node does not quit while it is awaited. */
  async waitForExitReferenced(): Promise<JvmExit> {
    this.#child.ref();
    try {
      return await this.exited;
    } finally {
      this.#child.unref();
    }
  }

  /**
   * SIGTERM (the JVM runs its shutdown hooks), then SIGKILL if it has not exited within
   * `graceMs`. SIGCONT follows SIGTERM because a paused (SIGSTOPped) JVM would otherwise never
   * act on it.
   */
  async terminate(graceMs: number): Promise<JvmExit> {
    this.signal('SIGTERM');
    this.signal('SIGCONT');
    const exit = await this.waitForExit(graceMs);
    if (exit !== undefined) return exit;
    return this.kill();
  }

  /** SIGKILL works on a stopped process too, so no SIGCONT is needed. */
  async kill(): Promise<JvmExit> {
    this.signal('SIGKILL');
    return this.waitForExitReferenced();
  }
}

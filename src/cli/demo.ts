import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { ZooKeeper } from '../index.js';
import { Mutex } from '../recipes/index.js';
import { ZooKeeperServer } from '../testing/index.js';
import { clock, DemoDisplay, label, paint } from './demo-display.js';
import { demoPaths } from './demo-worker.js';
import type { ResourceState, WorkerReport } from './demo-worker.js';
import { removeTree } from './walk.js';

export interface DemoOptions {
  readonly workers: number;
  /** An existing ensemble; absent: a local server is started and stopped. */
  readonly connect?: string | undefined;
  /** The workers' session timeout: how long a killed holder keeps the lock. */
  readonly sessionTimeoutMs: number;
  /** How long the workers contend before the holder is killed. */
  readonly contendMs: number;
}

const AFTER_TAKEOVER_MS = 3000;
const REFRESH_MS = 100;

interface Worker {
  readonly name: string;
  readonly process: ChildProcess;
  readonly exited: Promise<void>;
}

/**
 * `zkcoord demo`: N worker processes (each its own session) contend for one Mutex, shown live;
 * then the holder's process is killed with SIGKILL and the next one takes over once ZooKeeper
 * expires the dead session; a summary checks that the fencing tokens only grew and that no
 * update of the shared counter was lost.
 */
export async function runDemo(options: DemoOptions): Promise<number> {
  const display = new DemoDisplay();
  const interrupted = new AbortController();
  const onSignal = (signal: NodeJS.Signals): void => {
    display.line(
      `${signal}: stopping the workers${options.connect === undefined ? ' and the server' : ''}`,
    );
    interrupted.abort();
  };
  // `on`, not `once`: the harness's own handler re-raises the signal when it finds no other listener.
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  let server: ZooKeeperServer | undefined;
  const workers: Worker[] = [];
  try {
    if (options.connect === undefined) {
      display.line('starting a local ZooKeeper server…');
      server = await ZooKeeperServer.start({ logLevel: 'warn' });
      display.line(
        `ZooKeeper ${server.installation.version ?? ''} is up on ${server.connectString} (log: ${server.logFile})`,
      );
    }
    const connectString = options.connect ?? server?.connectString ?? '';
    const zk = await ZooKeeper.connect(connectString);
    const root = `/zkcoord-demo-${randomBytes(4).toString('hex')}`;
    try {
      await zk.create(root);
      const initial: ResourceState = { count: 0, lastToken: '0' };
      await zk.create(demoPaths(root).resource, JSON.stringify(initial));
      if (isAborted(interrupted.signal)) return 130;
      const run = new DemoRun(zk, connectString, root, options, display, workers);
      const ok = await run.play(interrupted.signal);
      return isAborted(interrupted.signal) ? 130 : ok ? 0 : 1;
    } finally {
      // Interrupted with a local server, the harness has already killed it: nothing can be
      // released any more, so the workers go at once and the data goes with the server.
      const local = server !== undefined;
      await stopWorkers(workers, isAborted(interrupted.signal) && local ? 'SIGKILL' : 'SIGTERM');
      if (!local) await removeTree(zk, root, {}, 'demo').catch(() => undefined);
      await zk.close();
    }
  } finally {
    await stopWorkers(workers, 'SIGKILL');
    await server?.stop();
    if (server !== undefined) display.line('ZooKeeper stopped.');
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

/** The state of one demo run, fed by the workers' reports and a poll of the lock's queue. */
class DemoRun {
  private holder: string | undefined;
  private token: bigint | undefined;
  private acquisitions = 0;
  private holderChanges = 0;
  private lastAcquirer: string | undefined;
  private released = 0;
  private count = 0;
  private staleWrites = 0;
  private tokenRegressions = 0;
  private firstToken: bigint | undefined;
  private readonly recent: number[] = [];
  private readonly events: string[] = [];
  private queue: string[] = [];
  private phase = 'contending';
  private killed: { name: string; at: number } | undefined;
  private takeover: { name: string; afterMs: number } | undefined;
  private readonly startedAt = performance.now();

  constructor(
    private readonly zk: ZooKeeper,
    private readonly connectString: string,
    private readonly root: string,
    private readonly options: DemoOptions,
    private readonly display: DemoDisplay,
    private readonly workers: Worker[],
  ) {}

  private get title(): string {
    const seconds = this.options.sessionTimeoutMs / 1000;
    return `zkcoord demo — ${this.options.workers} processes, one lock, session timeout ${seconds} s`;
  }

  async play(interrupted: AbortSignal): Promise<boolean> {
    for (let i = 1; i <= this.options.workers; i++) this.workers.push(this.spawn(`worker-${i}`));
    const refresh = setInterval(() => {
      void this.refresh();
    }, REFRESH_MS);
    try {
      await sleep(this.options.contendMs, undefined, { signal: interrupted }).catch(
        () => undefined,
      );
      if (interrupted.aborted) return false;
      await this.killHolder(interrupted);
      const deadline = performance.now() + this.options.sessionTimeoutMs * 3 + 10_000;
      while (!this.tookOver() && performance.now() < deadline && !isAborted(interrupted)) {
        const waited = ((performance.now() - (this.killed?.at ?? 0)) / 1000).toFixed(1);
        this.phase = `${this.killed?.name ?? ''} was killed holding the lock; waiting for ZooKeeper to expire its session (${waited} s)`;
        await sleep(REFRESH_MS);
      }
      this.phase = 'after the takeover';
      await sleep(AFTER_TAKEOVER_MS, undefined, { signal: interrupted }).catch(() => undefined);
    } finally {
      clearInterval(refresh);
    }
    if (isAborted(interrupted)) return false;
    await stopWorkers(this.workers, 'SIGTERM');
    return this.summarize();
  }

  private tookOver(): boolean {
    return this.takeover !== undefined;
  }

  private spawn(name: string): Worker {
    const main = fileURLToPath(new URL('./main.js', import.meta.url));
    const args = [main, 'demo-worker', this.connectString, name, this.root];
    args.push(String(this.options.sessionTimeoutMs));
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    createInterface({ input: child.stdout }).on('line', (line) => {
      this.onReport(JSON.parse(line) as WorkerReport);
    });
    const exited = new Promise<void>((resolve) => {
      child.once('exit', () => {
        resolve();
      });
    });
    return { name, process: child, exited };
  }

  private onReport(report: WorkerReport): void {
    switch (report.event) {
      case 'ready':
        break;
      case 'acquired': {
        const token = BigInt(report.token);
        if (this.token !== undefined && token <= this.token) this.tokenRegressions++;
        if (this.lastAcquirer !== report.worker) this.holderChanges++;
        this.lastAcquirer = report.worker;
        this.firstToken ??= token;
        this.token = token;
        this.holder = report.worker;
        this.acquisitions++;
        this.recent.push(performance.now());
        this.events.push(
          `  ${clock()}  ${label(report.worker)} ${paint(1, 'holds')}  token ${report.token}  after waiting ${report.waitedMs} ms`,
        );
        if (this.killed !== undefined && this.takeover === undefined) {
          const afterMs = performance.now() - this.killed.at;
          this.takeover = { name: report.worker, afterMs };
          this.events.push(
            paint(
              32,
              `  ${clock()}  ${report.worker} took over ${(afterMs / 1000).toFixed(1)} s after the kill`,
            ),
          );
        }
        break;
      }
      case 'released':
        this.released++;
        this.count = report.count;
        if (report.stale) this.staleWrites++;
        if (this.holder === report.worker) this.holder = undefined;
        break;
    }
  }

  private async refresh(): Promise<void> {
    try {
      const entries = await new Mutex(this.zk, demoPaths(this.root).lock).participants();
      this.queue = entries.filter((entry) => !entry.holds).map((entry) => workerOf(entry.data));
    } catch {
      // A poll that fails (the lock path not there yet) leaves the last queue on screen.
    }
    const now = performance.now();
    while ((this.recent[0] ?? now) < now - 2000) this.recent.shift();
    const window = Math.min(2000, now - this.startedAt);
    this.display.draw({
      title: this.title,
      phase: this.phase,
      holder: this.holder,
      token: this.token?.toString(),
      queue: this.queue,
      acquisitions: this.acquisitions,
      perSecond: window > 0 ? (this.recent.length * 1000) / window : 0,
      count: this.count,
      events: this.events,
    });
  }

  /** Kills whichever worker holds the lock, mid-hold, with SIGKILL: no release, no closeSession. */
  private async killHolder(interrupted: AbortSignal): Promise<void> {
    for (;;) {
      const victim = this.workers.find((worker) => worker.name === this.holder);
      if (victim !== undefined) {
        victim.process.kill('SIGKILL');
        this.killed = { name: victim.name, at: performance.now() };
        this.events.push(
          paint(
            31,
            `  ${clock()}  killed ${victim.name} (pid ${victim.process.pid ?? '?'}) with SIGKILL while it held the lock; its node stays until ZooKeeper expires its session`,
          ),
        );
        return;
      }
      if (interrupted.aborted) return;
      await sleep(5);
    }
  }

  private async summarize(): Promise<boolean> {
    const { data } = await this.zk.getData(demoPaths(this.root).resource);
    const final = JSON.parse(data.toString()) as ResourceState;
    const seconds = (performance.now() - this.startedAt) / 1000;
    // The killed holder may have written its increment just before it died, unreported.
    const countOk = final.count >= this.released && final.count <= this.released + 1;
    const tokensOk = this.tokenRegressions === 0 && this.staleWrites === 0;
    const changed = this.acquisitions > 1 ? (this.holderChanges - 1) / (this.acquisitions - 1) : 1;
    this.display.keep();
    const lines = [
      '',
      paint(1, 'Summary'),
      `  acquisitions    ${this.acquisitions} by ${this.options.workers} processes in ${seconds.toFixed(1)} s; the holder changed on ${(changed * 100).toFixed(0)} % of them`,
      `  fencing tokens  ${tokensOk ? paint(32, 'only grew') : paint(31, `went back ${this.tokenRegressions} times, ${this.staleWrites} stale writes`)} (${this.firstToken ?? '-'} → ${this.token ?? '-'})`,
      `  counter         ${final.count} after ${this.released} completed holds: ${countOk ? paint(32, 'no update lost') : paint(31, 'updates were lost')}`,
      this.takeover === undefined
        ? paint(31, '  takeover        nobody took over from the killed holder')
        : `  takeover        ${this.takeover.name} took the lock ${(this.takeover.afterMs / 1000).toFixed(1)} s after ${this.killed?.name ?? ''} was killed (session timeout ${this.options.sessionTimeoutMs / 1000} s)`,
    ];
    for (const line of lines) this.display.line(line);
    return countOk && tokensOk && this.takeover !== undefined;
  }
}

/** Read through a call: the signal aborts in a handler while we await. */
function isAborted(signal: AbortSignal): boolean {
  return signal.aborted;
}

function workerOf(data: Buffer): string {
  try {
    const parsed = JSON.parse(data.toString()) as { id?: unknown };
    return typeof parsed.id === 'string' ? parsed.id : '?';
  } catch {
    return '?';
  }
}

/** SIGTERM to every live worker (each releases and closes) and SIGKILL after 5 s, or SIGKILL now. */
async function stopWorkers(
  workers: readonly Worker[],
  signal: 'SIGTERM' | 'SIGKILL',
): Promise<void> {
  const running = workers.filter(
    (w) => w.process.exitCode === null && w.process.signalCode === null,
  );
  for (const worker of running) worker.process.kill(signal);
  const all = Promise.all(running.map((worker) => worker.exited));
  const timer = setTimeout(() => {
    for (const worker of running) worker.process.kill('SIGKILL');
  }, 5000);
  await all;
  clearTimeout(timer);
}

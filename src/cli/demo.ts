import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { ZooKeeper } from '../index.js';
import { ZooKeeperServer } from '../testing/index.js';
import { COUNTER_PATH, LOCK_PATH } from './demo-worker.js';
import type { WorkerReport } from './demo-worker.js';

export interface DemoOptions {
  readonly workers: number;
  readonly rounds: number;
}

const useColor = process.stdout.isTTY && process.env.NO_COLOR === undefined;
const paint = (code: number, text: string): string =>
  useColor ? `\u001b[${code}m${text}\u001b[0m` : text;
const palette = [36, 33, 35, 32, 34, 31, 96, 93, 95, 92];

function clock(): string {
  return new Date().toISOString().slice(11, 23);
}

/**
 * `zkcoord demo`: a real ZooKeeper on a free local port, N worker processes (each its own
 * session) taking turns on one lock, printed live; then a check that no increment was lost.
 */
export async function runDemo(options: DemoOptions): Promise<number> {
  const out = (line: string): void => {
    process.stdout.write(`${line}\n`);
  };
  out(
    paint(
      1,
      `zkcoord demo: ${options.workers} processes take turns on one lock, ${options.rounds} times each`,
    ),
  );
  const server = await ZooKeeperServer.start({ logLevel: 'warn' });
  const workers: ChildProcess[] = [];
  const stopAll = async (): Promise<void> => {
    for (const worker of workers) worker.kill('SIGTERM');
    await server.stop();
  };
  const onSignal = (signal: NodeJS.Signals): void => {
    out(`\n${signal}: stopping the workers and the server`);
    void stopAll().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    out(
      `ZooKeeper ${server.installation.version ?? ''} is up on ${server.connectString} (log: ${server.logFile})`,
    );
    const zk = await ZooKeeper.connect(server.connectString);
    try {
      await zk.create('/demo');
      await zk.create(LOCK_PATH);
      await zk.create(COUNTER_PATH, '0');
      const names = Array.from({ length: options.workers }, (_, i) => `worker-${i + 1}`);
      const finished = names.map((name, i) =>
        runWorker(server.connectString, name, i, options.rounds, workers, out),
      );
      const results = await Promise.all(finished);
      const { data } = await zk.getData(COUNTER_PATH);
      const expected = options.workers * options.rounds;
      const count = Number(data.toString());
      out('');
      if (results.every((ok) => ok) && count === expected) {
        out(
          paint(
            32,
            `mutual exclusion held: ${count} unguarded increments, ${expected} acquisitions, none lost`,
          ),
        );
        return 0;
      }
      out(paint(31, `something went wrong: counter ${count}, expected ${expected}`));
      return 1;
    } finally {
      await zk.close();
    }
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await stopAll();
    out(`ZooKeeper stopped.`);
  }
}

function runWorker(
  connectString: string,
  name: string,
  index: number,
  rounds: number,
  workers: ChildProcess[],
  out: (line: string) => void,
): Promise<boolean> {
  const main = fileURLToPath(new URL('./main.js', import.meta.url));
  const child = spawn(
    process.execPath,
    [main, 'demo-worker', connectString, name, String(rounds)],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  workers.push(child);
  const label = paint(palette[index % palette.length] ?? 0, name.padEnd(10));
  createInterface({ input: child.stdout }).on('line', (line) => {
    const message = JSON.parse(line) as WorkerReport;
    switch (message.event) {
      case 'queued':
        out(`  ${clock()}  ${label}  queued      ${message.node}`);
        break;
      case 'acquired':
        out(
          `  ${clock()}  ${label}  ${paint(1, 'HOLDS LOCK')}  ${message.node}  (${message.waiting} waiting)`,
        );
        break;
      case 'released':
        out(`  ${clock()}  ${label}  released    counter = ${message.count}`);
        break;
      case 'done':
        break;
    }
  });
  return new Promise((resolve) => {
    child.on('exit', (code) => {
      resolve(code === 0);
    });
  });
}

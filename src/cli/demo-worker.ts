import { setTimeout as sleep } from 'node:timers/promises';
import { ZooKeeper } from '../index.js';

/** What a worker reports to the demo, one JSON line each on stdout. */
export type WorkerReport =
  | { readonly event: 'queued'; readonly worker: string; readonly node: string }
  | {
      readonly event: 'acquired';
      readonly worker: string;
      readonly node: string;
      readonly waiting: number;
    }
  | {
      readonly event: 'released';
      readonly worker: string;
      readonly node: string;
      readonly count: number;
    }
  | { readonly event: 'done'; readonly worker: string };

export const LOCK_PATH = '/demo/lock';
export const COUNTER_PATH = '/demo/counter';

function report(message: WorkerReport): void {
  process.stdout.write(`${JSON.stringify(message)}\n`);
}

const sequenceOf = (name: string): string => name.slice(-10);

/**
 * One contender: a plain ephemeral-sequential queue. Each waiter watches only the node just ahead
 * of it, so a release wakes one process, not all of them.
 */
async function acquire(zk: ZooKeeper, worker: string): Promise<string> {
  const { path } = await zk.create(`${LOCK_PATH}/lock-`, worker, { mode: 'ephemeral-sequential' });
  const name = path.slice(LOCK_PATH.length + 1);
  report({ event: 'queued', worker, node: name });
  for (;;) {
    const { children } = await zk.getChildren(LOCK_PATH);
    const queue = children.sort((a, b) => sequenceOf(a).localeCompare(sequenceOf(b)));
    const position = queue.indexOf(name);
    if (position === 0) return path;
    const predecessor = queue[position - 1];
    if (predecessor === undefined) throw new Error(`our lock node ${path} disappeared`);
    const { stat, watch } = await zk.exists(`${LOCK_PATH}/${predecessor}`, { watch: true });
    if (stat !== null) await watch;
  }
}

export async function runDemoWorker(args: readonly string[]): Promise<number> {
  const [connectString, worker, roundsText] = args;
  if (connectString === undefined || worker === undefined)
    throw new Error('demo-worker needs a connect string and a name');
  const rounds = Number(roundsText ?? '3');
  const zk = await ZooKeeper.connect(connectString, { sessionTimeout: 10_000 });
  try {
    for (let round = 0; round < rounds; round++) {
      const node = await acquire(zk, worker);
      const { children } = await zk.getChildren(LOCK_PATH);
      report({
        event: 'acquired',
        worker,
        node: node.slice(LOCK_PATH.length + 1),
        waiting: children.length - 1,
      });
      // A read-modify-write with no version check: only mutual exclusion keeps the count right.
      const { data } = await zk.getData(COUNTER_PATH);
      await sleep(150 + Math.random() * 350);
      const count = Number(data.toString()) + 1;
      await zk.setData(COUNTER_PATH, String(count));
      await zk.delete(node);
      report({ event: 'released', worker, node: node.slice(LOCK_PATH.length + 1), count });
      await sleep(Math.random() * 150);
    }
    report({ event: 'done', worker });
    return 0;
  } finally {
    await zk.close();
  }
}

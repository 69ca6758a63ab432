import { setTimeout as sleep } from 'node:timers/promises';
import { ZooKeeper } from '../index.js';
import { Mutex } from '../recipes/index.js';

/** What a worker reports to the demo, one JSON line each on stdout. Bigints travel as strings. */
export type WorkerReport =
  | { readonly event: 'ready'; readonly worker: string; readonly pid: number }
  | {
      readonly event: 'acquired';
      readonly worker: string;
      readonly token: string;
      readonly waitedMs: number;
    }
  | {
      readonly event: 'released';
      readonly worker: string;
      readonly token: string;
      readonly count: number;
      /** The resource had already seen a token at least as large: a stale holder's write. */
      readonly stale: boolean;
    };

/** The nodes of one demo run, under its own root so that runs never meet. */
export function demoPaths(root: string): { lock: string; resource: string } {
  return { lock: `${root}/lock`, resource: `${root}/resource` };
}

/** What the guarded resource holds: a counter and the largest fencing token that wrote to it. */
export interface ResourceState {
  readonly count: number;
  readonly lastToken: string;
}

function report(message: WorkerReport): void {
  process.stdout.write(`${JSON.stringify(message)}\n`);
}

/**
 * One contender process: takes the library's Mutex over and over until SIGTERM, and under it
 * does an unguarded read-modify-write of a shared counter — only mutual exclusion keeps the count
 * right — checking the fencing token against the largest one the resource has seen.
 */
export async function runDemoWorker(args: readonly string[]): Promise<number> {
  const [connectString, worker, root, timeoutText] = args;
  if (connectString === undefined || worker === undefined || root === undefined) {
    throw new Error('demo-worker needs a connect string, a name and the run root');
  }
  const stop = new AbortController();
  process.once('SIGTERM', () => {
    stop.abort();
  });
  const zk = await ZooKeeper.connect(connectString, {
    sessionTimeout: Number(timeoutText ?? '4000'),
  });
  report({ event: 'ready', worker, pid: process.pid });
  const paths = demoPaths(root);
  const mutex = new Mutex(zk, paths.lock, { id: worker });
  try {
    while (!stop.signal.aborted) {
      const startedAt = performance.now();
      const lease = await mutex.acquire({ signal: stop.signal }).catch((error: unknown) => {
        if (stop.signal.aborted) return undefined;
        throw error;
      });
      if (lease === undefined) break;
      try {
        const token = lease.fencingToken;
        report({
          event: 'acquired',
          worker,
          token: token.toString(),
          waitedMs: Math.round(performance.now() - startedAt),
        });
        const { data } = await zk.getData(paths.resource);
        const state = JSON.parse(data.toString()) as ResourceState;
        await sleep(20 + Math.random() * 100);
        const stale = token <= BigInt(state.lastToken);
        const next: ResourceState = { count: state.count + 1, lastToken: token.toString() };
        // Guarded: the write commits only while our lock node exists.
        await lease.transaction().setData(paths.resource, JSON.stringify(next)).commit();
        report({ event: 'released', worker, token: token.toString(), count: next.count, stale });
      } finally {
        await lease.release();
      }
      await sleep(Math.random() * 30);
    }
    return 0;
  } catch (error) {
    // Told to stop while the servers go away: whatever failed, the demo asked for it.
    if (stop.signal.aborted) return 0;
    throw error;
  } finally {
    await zk.close();
  }
}

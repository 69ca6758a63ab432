import { BadVersionError, NodeExistsError, NoNodeError } from '../../client/index.js';
import type { GetDataResult, ZooKeeper } from '../../client/index.js';
import { readThrough } from '../coordination/connection-trouble.js';
import { SemaphoreLeasesMismatchError } from '../coordination/errors.js';
import type { GiveUp } from '../coordination/give-up.js';
import { ensureContainers } from '../coordination/parents.js';

/** Each round that goes again means another process's write on the path won; so many is a bug. */
const MAX_ROUNDS = 20;

/**
 * Makes sure the data of the semaphore's path records our lease count N, as kazoo's Semaphore
 * keeps it (decimal UTF-8 text), and rejects with SemaphoreLeasesMismatchError when another N is
 * recorded there. A missing path is created as a container holding N; empty data (the path made
 * by Curator, an older zkcoord or ensureContainers) gets N written at the version we read, so of
 * processes racing with different counts exactly one records its own and the others read it.
 * Data that is not a decimal integer is left alone: the node may serve another purpose.
 *
 * Every step may be repeated after connection trouble: a create or versioned setData whose reply
 * was lost fails with NodeExists or BadVersion the second time, and the read that follows finds
 * our N.
 */
export async function checkLeasesRecord(
  zk: ZooKeeper,
  path: string,
  leases: number,
  give: GiveUp,
): Promise<void> {
  const ours = String(leases);
  for (let round = 1; ; round++) {
    const found = await readThrough(give, () => readRecord(zk, path));
    let conflict: Error | undefined;
    if (found === undefined) {
      conflict = await readThrough(give, () => createRecord(zk, path, ours));
    } else if (found.data.length === 0) {
      conflict = await readThrough(give, () => setRecord(zk, path, ours, found.stat.version));
    } else {
      const recorded = parseLeases(found.data);
      if (recorded === undefined || recorded === BigInt(leases)) return;
      throw new SemaphoreLeasesMismatchError(path, leases, Number(recorded));
    }
    if (conflict === undefined) return;
    if (round >= MAX_ROUNDS) throw conflict;
  }
}

/**
 * The count recorded in `data`, or undefined when it is no decimal integer. Surrounding
 * whitespace and a sign are allowed, as kazoo's int() parses it: a "-1" or "0" someone wrote is
 * a record we cannot match, not data of another purpose.
 */
export function parseLeases(data: Buffer): bigint | undefined {
  const text = data.toString('utf8').trim();
  return /^[+-]?\d+$/.test(text) ? BigInt(text) : undefined;
}

async function readRecord(zk: ZooKeeper, path: string): Promise<GetDataResult | undefined> {
  try {
    return await zk.getData(path);
  } catch (error) {
    if (error instanceof NoNodeError) return undefined;
    throw error;
  }
}

/** Undefined once created; else the error that says someone else was first (read again). */
async function createRecord(zk: ZooKeeper, path: string, ours: string): Promise<Error | undefined> {
  try {
    await zk.create(path, ours, { mode: 'container' });
    return undefined;
  } catch (error) {
    if (error instanceof NodeExistsError) return error;
    if (!(error instanceof NoNodeError)) throw error;
    await ensureContainers(zk, parentOf(path));
    return error;
  }
}

/** Undefined once set; else the error that says the node changed since we read it (read again). */
async function setRecord(
  zk: ZooKeeper,
  path: string,
  ours: string,
  version: number,
): Promise<Error | undefined> {
  try {
    await zk.setData(path, ours, { version });
    return undefined;
  } catch (error) {
    if (error instanceof BadVersionError || error instanceof NoNodeError) return error;
    throw error;
  }
}

function parentOf(path: string): string {
  return path.slice(0, path.lastIndexOf('/')) || '/';
}

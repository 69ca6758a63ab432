import diagnosticsChannel from 'node:diagnostics_channel';
import { afterEach, describe, expect, it } from 'vitest';
import type { RequestEndMessage, RequestStartMessage, ZooKeeper } from '../../src/index.js';
import { Semaphore, SemaphoreLeasesMismatchError } from '../../src/recipes/index.js';
import { GiveUp } from '../../src/recipes/coordination/give-up.js';
import { checkLeasesRecord } from '../../src/recipes/semaphore/leases-record.js';
import { rejectionOf, until } from '../support/poll.js';
import { uniqueRoot } from './helpers.js';
import { childrenOf, IN_BACKGROUND, sessions, untilOnlyHolders } from './recipe-helpers.js';

// The lease count N recorded in the data of the semaphore's path, as kazoo records it.

const { open, closeAll } = sessions();
afterEach(closeAll);

async function dataOf(zk: ZooKeeper, path: string): Promise<string> {
  return (await zk.getData(path)).data.toString();
}

function expectMismatch(error: unknown, path: string, leases: number, recorded: number): void {
  expect(error).toBeInstanceOf(SemaphoreLeasesMismatchError);
  expect(error).toMatchObject({
    code: 'SEMAPHORE_LEASES_MISMATCH',
    path,
    leases,
    recordedLeases: recorded,
  });
  expect((error as Error).message).toMatch(/same leases/);
}

describe('Semaphore lease count record', () => {
  it('records N on a fresh path made of containers, and forgets it once the idle path is reaped', async () => {
    const zk = await open();
    const path = `${uniqueRoot('sem')}/limits/pool`;
    const parent = path.slice(0, path.lastIndexOf('/'));
    await (await new Semaphore(zk, path, { leases: 3 }).acquire()).release();
    expect(await dataOf(zk, path)).toBe('3');
    // The test server reaps empty containers every 200 ms: the path, then its parent.
    await until(
      'the server to reap the parent',
      async () => (await zk.exists(parent)) === null,
      IN_BACKGROUND,
    );
    const lease = await new Semaphore(zk, path, { leases: 5 }).acquire();
    expect(await dataOf(zk, path)).toBe('5');
    await lease.release();
  });

  it('refuses another N while a holder uses the path, at once and leaving nothing behind', async () => {
    const [a, b, c] = [await open(), await open(), await open()];
    const path = `${uniqueRoot('sem')}/pool`;
    const held = await new Semaphore(a, path, { leases: 1 }).acquire();
    // A waiter holds the internal mutex: a mismatched acquire must not queue behind it.
    const waiting = new Semaphore(b, path, { leases: 1 }).acquire();
    await until(
      'the waiter to create its lease node',
      async () => (await childrenOf(a, `${path}/leases`)).length === 2,
      IN_BACKGROUND,
    );

    const wrong = new Semaphore(c, path, { leases: 2 });
    expectMismatch(await rejectionOf(wrong.acquire({ timeout: 10_000 })), path, 2, 1);
    expectMismatch(await rejectionOf(wrong.tryAcquire()), path, 2, 1);
    expectMismatch(
      await rejectionOf(wrong.withLease(() => 'never', { timeout: 10_000 })),
      path,
      2,
      1,
    );
    await until(
      'the mismatched acquire to leave the mutex',
      async () => (await childrenOf(a, `${path}/locks`)).length === 1,
      IN_BACKGROUND,
    );
    expect(await childrenOf(a, `${path}/leases`)).toHaveLength(2);
    expect(await dataOf(a, path)).toBe('1');

    await held.release();
    await (await waiting).release();
    await untilOnlyHolders(a, path, 0);
  });

  it('refuses a count recorded by an earlier, now idle user (a persistent path, as kazoo leaves it)', async () => {
    const zk = await open();
    const root = uniqueRoot('sem');
    const path = `${root}/pool`;
    await zk.create(root);
    await zk.create(path, '2');
    expectMismatch(await rejectionOf(new Semaphore(zk, path, { leases: 3 }).acquire()), path, 3, 2);
    await untilOnlyHolders(zk, path, 0);
    // Written by hand it may carry whitespace or leading zeros, as kazoo's int() reads it.
    await zk.setData(path, ' 02\n');
    const lease = await new Semaphore(zk, path, { leases: 2 }).acquire();
    expect(await dataOf(zk, path)).toBe(' 02\n');
    await lease.release();
    await zk.setData(path, '-1');
    expectMismatch(
      await rejectionOf(new Semaphore(zk, path, { leases: 2 }).tryAcquire()),
      path,
      2,
      -1,
    );
  });

  it('leaves data that is not a count alone', async () => {
    const zk = await open();
    const root = uniqueRoot('sem');
    await zk.create(root);
    for (const [name, data] of [
      ['json', '{"leases":7}'],
      ['word', 'reports'],
      ['fraction', '2.5'],
    ] as const) {
      const path = `${root}/${name}`;
      await zk.create(path, data, { mode: 'container' });
      const lease = await new Semaphore(zk, path, { leases: 3 }).acquire();
      expect(await dataOf(zk, path)).toBe(data);
      await lease.release();
    }
  });

  it('writes N into empty data (a path Curator or an older zkcoord made)', async () => {
    const zk = await open();
    const root = uniqueRoot('sem');
    const path = `${root}/pool`;
    await zk.create(root);
    await zk.create(path, undefined, { mode: 'container' });
    const lease = await new Semaphore(zk, path, { leases: 4 }).tryAcquire();
    expect(lease).toBeDefined();
    expect(await dataOf(zk, path)).toBe('4');
    expect((await zk.exists(path))?.version).toBe(1);
    await lease?.release();
  });

  it('lets exactly one of two processes racing with different N record it; the other is refused', async () => {
    const [a, b] = [await open(), await open()];
    const root = uniqueRoot('sem');
    await a.create(root);
    // Fresh paths, and paths made empty beforehand (where the versioned setData decides).
    for (const [round, prepared] of [
      [1, false],
      [2, false],
      [3, false],
      [4, true],
      [5, true],
      [6, true],
    ] as const) {
      const path = `${root}/pool-${round}`;
      if (prepared) await a.create(path, undefined, { mode: 'container' });
      const outcomes = await Promise.allSettled([
        new Semaphore(a, path, { leases: 2 }).acquire({ timeout: 10_000 }),
        new Semaphore(b, path, { leases: 3 }).acquire({ timeout: 10_000 }),
      ]);
      const won = outcomes.flatMap((outcome) =>
        outcome.status === 'fulfilled' ? [outcome.value] : [],
      );
      const refused = outcomes.flatMap((outcome) =>
        outcome.status === 'rejected' ? [outcome.reason as unknown] : [],
      );
      expect(won, `round ${round}`).toHaveLength(1);
      expect(refused[0]).toBeInstanceOf(SemaphoreLeasesMismatchError);
      const recorded = await dataOf(a, path);
      expect((refused[0] as SemaphoreLeasesMismatchError).recordedLeases).toBe(Number(recorded));
      expect(outcomes[recorded === '2' ? 0 : 1].status).toBe('fulfilled');
      await won[0]?.release();
      await untilOnlyHolders(a, path, 0);
    }
  });

  it('records exactly one of two counts written at once, on a fresh path and on empty data', async () => {
    const [a, b] = [await open(), await open()];
    const root = uniqueRoot('sem');
    await a.create(root);
    const check = async (zk: ZooKeeper, path: string, leases: number): Promise<void> => {
      const give = new GiveUp(zk, path, {});
      try {
        await checkLeasesRecord(zk, path, leases, give);
      } finally {
        give.dispose();
      }
    };
    for (const [round, prepared] of [
      [1, false],
      [2, true],
      [3, true],
      [4, true],
    ] as const) {
      const path = `${root}/pool-${round}`;
      if (prepared) await a.create(path);
      const outcomes = await Promise.allSettled([check(a, path, 2), check(b, path, 3)]);
      const recorded = await dataOf(a, path);
      const [winner, loser] = recorded === '2' ? [0, 1] : [1, 0];
      expect(outcomes[winner]?.status, `round ${round}`).toBe('fulfilled');
      expect(outcomes[loser]).toMatchObject({
        status: 'rejected',
        reason: { code: 'SEMAPHORE_LEASES_MISMATCH' },
      });
    }
  });

  it('reads the record in the same socket write as requests the acquire sends anyway', async () => {
    const zk = await open();
    const path = `${uniqueRoot('sem')}/pool`;
    await (await new Semaphore(zk, path, { leases: 2 }).acquire()).release();
    const sent: [op: string, write: number][] = [];
    const reads: number[] = [];
    const onStart = (message: unknown): void => {
      const m = message as RequestStartMessage | RequestEndMessage;
      if (m.phase !== 'start' || m.sessionId !== zk.sessionId) return;
      if (m.op === 'getData' && m.path === path) reads.push(sent.length);
      sent.push([m.op, zk.stats.socketWrites]);
    };
    diagnosticsChannel.subscribe('zkcoord:request', onStart);
    try {
      await (await new Semaphore(zk, path, { leases: 2 }).acquire()).release();
    } finally {
      diagnosticsChannel.unsubscribe('zkcoord:request', onStart);
    }
    // Once beside the mutex create, once beside the lease create.
    expect(reads).toHaveLength(2);
    for (const index of reads) {
      expect(sent[index - 1]).toEqual(['create2', sent[index]?.[1]]);
    }
  });
});

import { afterEach, describe, expect, it } from 'vitest';
import { NoNodeError, ZooKeeper } from '../../src/index.js';
import { LeaderElection, LeadershipLostError, LockTimeoutError } from '../../src/recipes/index.js';
import type { Candidate, Leadership } from '../../src/recipes/index.js';
import { FaultProxy } from '../../src/testing/index.js';
import { until } from '../support/poll.js';
import { connectString, COUNTED_FRAMES, uniqueRoot } from './helpers.js';
import { sessions } from './recipe-helpers.js';

// LeaderElection against a real server: the LeaderLatch layout, one leader at a time in queue
// order, epochs that grow, and the leadership's signal. (Issue 16; the resume after a suspension,
// observe(), run(), the CLI and the Curator interop come with the rest of it.)

/** The election's children; none once the server reaped its empty container. */
async function childrenOf(zk: ZooKeeper, path: string): Promise<string[]> {
  try {
    return (await zk.getChildren(path)).children;
  } catch (error) {
    if (error instanceof NoNodeError) return [];
    throw error;
  }
}

/** The id of the leader an observe() step yielded; it must not have ended. */
function idOf(step: IteratorResult<Candidate | undefined, void>): string | undefined {
  if (step.done === true) throw new Error('observe() ended');
  return step.value?.id;
}

const { open: client, closeAll } = sessions();

afterEach(closeAll);

describe('LeaderElection', () => {
  it("leads alone at once, on a node in Curator's LeaderLatch layout holding its id", async () => {
    const path = `${uniqueRoot('election')}/leader`;
    const zk = await client();
    await using leadership = await new LeaderElection(zk, path, { id: 'billing-7' }).campaign();
    expect(leadership.path).toMatch(
      new RegExp(
        `^${path}/_c_[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}-latch-\\d{10}$`,
      ),
    );
    const { data, stat } = await zk.getData(leadership.path);
    expect(data.toString()).toBe('billing-7');
    expect(leadership.epoch).toBe(stat.czxid);
    expect(leadership.fencingToken).toBe(leadership.epoch);
    expect(leadership.sessionId).toBe(zk.sessionId);
    expect(leadership.held).toBe(true);
  });

  it('hands over in queue order; every candidate sees the same leader; epochs strictly grow', async () => {
    const path = `${uniqueRoot('election')}/leader`;
    const zks = await Promise.all([client(), client(), client()]);
    const elections = zks.map((zk, i) => new LeaderElection(zk, path, { id: `candidate-${i}` }));
    const first = await elections[0]!.campaign();
    const led: string[] = [];
    const queued = async (count: number): Promise<void> => {
      await until(`${count} candidates queued`, async () => {
        return (await elections[0]!.participants()).length === count;
      });
    };
    // One after the other, so that the queue order is known.
    const waiting: Promise<Leadership>[] = [];
    for (const [i, election] of elections.slice(1).entries()) {
      waiting.push(
        election.campaign().then((leadership) => {
          led.push(election.id);
          return leadership;
        }),
      );
      await queued(i + 2);
    }
    for (const election of elections) {
      expect((await election.leader())?.id).toBe('candidate-0');
    }
    expect((await elections[2]!.participants()).map((c) => c.id)).toEqual([
      'candidate-0',
      'candidate-1',
      'candidate-2',
    ]);

    await first.resign();
    const second = await waiting[0]!;
    expect(led).toEqual(['candidate-1']);
    expect((await elections[2]!.leader())?.id).toBe('candidate-1');
    await second.resign();
    const third = (await waiting[1])!;
    expect(led).toEqual(['candidate-1', 'candidate-2']);
    expect(first.epoch < second.epoch && second.epoch < third.epoch).toBe(true);
    await third.resign();
    expect(await elections[0]!.leader()).toBeUndefined();
  });

  it("a leader's signal aborts with LeadershipLostError when its node goes; its guarded writes fail", async () => {
    const path = `${uniqueRoot('election')}/leader`;
    const [zk, operator] = await Promise.all([client(), client()]);
    const leadership = await new LeaderElection(zk, path).campaign();
    await operator.delete(leadership.path);
    await until('the signal aborts', () => leadership.signal.aborted);
    const reason: unknown = leadership.signal.reason;
    expect(reason).toBeInstanceOf(LeadershipLostError);
    expect((reason as LeadershipLostError).lossCause).toBe('nodeDeleted');
    expect(leadership.held).toBe(false);
    expect(() => {
      leadership.assertHeld();
    }).toThrow(LeadershipLostError);
    await expect(
      leadership.transaction().create(`${path}-state`, 'x').commit(),
    ).rejects.toBeInstanceOf(NoNodeError);
  });

  it('a campaign that times out leaves no node behind', async () => {
    const path = `${uniqueRoot('election')}/leader`;
    const [zk1, zk2] = await Promise.all([client(), client()]);
    await using leader = await new LeaderElection(zk1, path, { id: 'leader' }).campaign();
    await expect(
      new LeaderElection(zk2, path, { id: 'late' }).campaign({ timeout: 200 }),
    ).rejects.toBeInstanceOf(LockTimeoutError);
    await until('the late node is gone', async () => (await childrenOf(zk1, path)).length === 1);
    expect(leader.held).toBe(true);
  });

  it('a leader that closes its client hands over to the next candidate', async () => {
    const path = `${uniqueRoot('election')}/leader`;
    const [zk1, zk2] = await Promise.all([client(), client()]);
    const first = await new LeaderElection(zk1, path, { id: 'first' }).campaign();
    const next = new LeaderElection(zk2, path, { id: 'next' }).campaign();
    await zk1.close();
    expect(first.signal.aborted).toBe(true);
    const leadership = await next;
    expect(leadership.held).toBe(true);
    expect(leadership.epoch > first.epoch).toBe(true);
    await leadership.resign();
  });

  it('resumes the lead on the same node after a suspension with the same session; the next candidate never leads meanwhile', async () => {
    const path = `${uniqueRoot('election')}/leader`;
    await using proxy = await FaultProxy.start({ target: connectString() });
    const zk = await client(proxy.connectString);
    const other = await client();
    const election = new LeaderElection(zk, path, { id: 'resumer' });
    const first = await election.campaign();
    let otherLed = false;
    const waiting = new LeaderElection(other, path, { id: 'other' }).campaign().then((l) => {
      otherLed = true;
      return l;
    });
    await until('the other candidate queued', async () => {
      return (await election.participants()).length === 2;
    });

    proxy.reset();
    await until('the signal aborts', () => first.signal.aborted);
    expect((first.signal.reason as LeadershipLostError).lossCause).toBe('suspended');
    await until('reconnected with the same session', () => zk.state === 'reconnected');
    expect(zk.sessionId).toBe(first.sessionId);

    const resumed = await election.campaign();
    expect(resumed.path).toBe(first.path);
    expect(resumed.epoch).toBe(first.epoch);
    expect(resumed.held).toBe(true);
    expect((await election.participants()).map((c) => c.id)).toEqual(['resumer', 'other']);
    expect(otherLed).toBe(false);

    await resumed.resign();
    const next = await waiting;
    expect(next.epoch > first.epoch).toBe(true);
    await next.resign();
  });

  it('after a resignation a new campaign queues a new node', async () => {
    const path = `${uniqueRoot('election')}/leader`;
    const election = new LeaderElection(await client(), path);
    const first = await election.campaign();
    await first.resign();
    const second = await election.campaign();
    expect(second.path).not.toBe(first.path);
    expect(second.epoch > first.epoch).toBe(true);
    await second.resign();
  });

  it('observe(): the leader now, then each change; joins behind the leader cost the observer nothing, a hand-over two requests', async () => {
    const path = `${uniqueRoot('election')}/leader`;
    const watcher = await client(connectString(), { sessionTimeout: 40_000, ...COUNTED_FRAMES });
    const stop = new AbortController();
    const leaders = new LeaderElection(watcher, path).observe({ signal: stop.signal });
    const next = async (): Promise<string | undefined> => idOf(await leaders.next());
    expect(await next()).toBeUndefined();
    const a = await new LeaderElection(await client(), path, { id: 'a' }).campaign();
    expect(await next()).toBe('a');

    const sent = watcher.stats.framesSent;
    const b = new LeaderElection(await client(), path, { id: 'b' }).campaign();
    const c = new LeaderElection(await client(), path, { id: 'c' }).campaign();
    const counter = new LeaderElection(await client(), path);
    await until('b and c queued', async () => (await counter.participants()).length === 3);
    expect(watcher.stats.framesSent - sent).toBe(0);

    const handedOver = next();
    await a.resign();
    expect(await handedOver).toBe('b');
    expect(watcher.stats.framesSent - sent).toBe(2);
    await (await b).resign();
    expect(await next()).toBe('c');
    await (await c).resign();
    expect(await next()).toBeUndefined();

    stop.abort();
    expect(await leaders.next()).toEqual({ done: true, value: undefined });
  });

  it('observe() through a disconnection: a hand-over made meanwhile is reported once it is back', async () => {
    const path = `${uniqueRoot('election')}/leader`;
    await using proxy = await FaultProxy.start({ target: connectString() });
    const watcher = await client(proxy.connectString);
    const stop = new AbortController();
    const leaders = new LeaderElection(watcher, path).observe({ signal: stop.signal });
    const a = await new LeaderElection(await client(), path, { id: 'a' }).campaign();
    const b = new LeaderElection(await client(), path, { id: 'b' }).campaign();
    expect(idOf(await leaders.next())).toBe('a');

    const handedOver = leaders.next();
    proxy.blackhole();
    await a.resign();
    const leader = await b;
    proxy.reset();
    expect(idOf(await handedOver)).toBe('b');
    await leader.resign();
    stop.abort();
  });

  it('run(): leads while the function runs and resigns when it returns; with requeue, takes turns until stopped', async () => {
    const path = `${uniqueRoot('election')}/leader`;
    const stop = new AbortController();
    const turns: string[] = [];
    const runner = (id: string) => async (leadership: Leadership) => {
      expect(leadership.held).toBe(true);
      turns.push(id);
      await new Promise((resolve) => setTimeout(resolve, 20));
      if (turns.length >= 6) stop.abort();
    };
    const [zk1, zk2] = await Promise.all([client(), client()]);
    await Promise.all([
      new LeaderElection(zk1, path, { id: 'x' }).run(runner('x'), {
        requeue: true,
        signal: stop.signal,
      }),
      new LeaderElection(zk2, path, { id: 'y' }).run(runner('y'), {
        requeue: true,
        signal: stop.signal,
      }),
    ]);
    expect(turns.length).toBeGreaterThanOrEqual(6);
    // A resigned candidate requeues behind the other: they take turns.
    for (let i = 1; i < 6; i++) expect(turns[i]).not.toBe(turns[i - 1]);
    await until('both nodes gone', async () => (await childrenOf(zk1, path)).length === 0);

    let once = 0;
    await new LeaderElection(zk1, path).run(() => {
      once++;
    });
    expect(once).toBe(1);
    expect(await childrenOf(zk1, path)).toEqual([]);
  });

  it('run(): after a suspension with the same session, the function runs again on the same node', async () => {
    const path = `${uniqueRoot('election')}/leader`;
    await using proxy = await FaultProxy.start({ target: connectString() });
    const zk = await client(proxy.connectString);
    const runs: bigint[] = [];
    await new LeaderElection(zk, path).run(async (leadership) => {
      runs.push(leadership.epoch);
      if (runs.length === 1) {
        proxy.reset();
        await new Promise((resolve) => {
          leadership.signal.addEventListener('abort', resolve);
        });
      }
    });
    expect(runs).toHaveLength(2);
    expect(runs[1]).toBe(runs[0]);
  });

  it('run(): what the function throws while leading rejects run(), after resigning', async () => {
    const path = `${uniqueRoot('election')}/leader`;
    const zk = await client();
    await expect(
      new LeaderElection(zk, path).run(
        () => {
          throw new Error('boom');
        },
        { requeue: true },
      ),
    ).rejects.toThrow('boom');
    expect(await childrenOf(zk, path)).toEqual([]);
  });
});

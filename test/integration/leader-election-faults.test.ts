import { afterEach, describe, expect, it } from 'vitest';
import { LeaderElection, LockTimeoutError } from '../../src/recipes/index.js';
import type { Leadership } from '../../src/recipes/index.js';
import { expireSession, FaultProxy } from '../../src/testing/index.js';
import { until, within } from '../support/poll.js';
import { connectString, uniqueRoot } from './helpers.js';
import { sessions } from './recipe-helpers.js';

// LeaderElection where a suspension or a session's end meets a campaign, a resume or run():
// the cases a reviewer found leaving a node at the head of the queue, or run() giving up.

const { open: client, closeAll } = sessions();

afterEach(closeAll);

describe('LeaderElection under faults', () => {
  it('a campaign that gives up while the lead is suspended deletes the kept node: the next candidate leads', async () => {
    const path = `${uniqueRoot('election-faults')}/leader`;
    await using proxy = await FaultProxy.start({ target: connectString() });
    const zk = await client(proxy.connectString);
    const election = new LeaderElection(zk, path, { id: 'suspended' });
    const first = await election.campaign();
    const next = new LeaderElection(await client(), path, { id: 'next' }).campaign();
    await until('next queued', async () => (await election.participants()).length === 2);

    proxy.blackhole();
    await until('the lead is suspended', () => first.signal.aborted);
    await expect(election.campaign({ timeout: 100 })).rejects.toBeInstanceOf(LockTimeoutError);
    proxy.pass();
    const leadership = await within('the next candidate leads', next, 8000);
    expect(leadership.held).toBe(true);
    expect((await election.participants()).map((c) => c.id)).toEqual(['next']);
    await leadership.resign();
  });

  it("an old leadership's resign() after the lead resumed on its node does not delete it", async () => {
    const path = `${uniqueRoot('election-faults')}/leader`;
    await using proxy = await FaultProxy.start({ target: connectString() });
    const zk = await client(proxy.connectString);
    const election = new LeaderElection(zk, path);
    const first = await election.campaign();
    proxy.reset();
    await until('reconnected', () => first.signal.aborted && zk.state === 'reconnected');
    const resumed = await election.campaign();
    expect(resumed.path).toBe(first.path);
    await first.resign();
    expect(await zk.exists(resumed.path)).not.toBeNull();
    expect(resumed.held).toBe(true);
    await resumed.resign();
    expect(await zk.exists(resumed.path)).toBeNull();
  });

  it('run() with requeue goes on after the session expires: the function runs again in the next session', async () => {
    const path = `${uniqueRoot('election-faults')}/leader`;
    const zk = await client();
    const stop = new AbortController();
    const terms: { epoch: bigint; session: bigint }[] = [];
    const running = new LeaderElection(zk, path).run(
      async (leadership: Leadership) => {
        terms.push({ epoch: leadership.epoch, session: leadership.sessionId });
        if (terms.length >= 2) {
          stop.abort();
          return;
        }
        await new Promise((resolve) => {
          leadership.signal.addEventListener('abort', resolve);
        });
      },
      { requeue: true, signal: stop.signal },
    );
    await until('leading', () => terms.length === 1);
    await expireSession(zk);
    await running;
    expect(terms).toHaveLength(2);
    expect(terms[1]!.session).not.toBe(terms[0]!.session);
    expect(terms[1]!.epoch > terms[0]!.epoch).toBe(true);
  });
});

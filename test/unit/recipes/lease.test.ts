import { describe, expect, it } from 'vitest';
import type { ZooKeeper, ZooKeeperState } from '../../../src/index.js';
import { Lease, LeaseLostError, MultiLease } from '../../../src/recipes/index.js';
import type { LeaseLossCause, LostOn } from '../../../src/recipes/index.js';
import type { NodeWatch, NodeWatchEnd } from '../../../src/recipes/coordination/node-watch.js';
import { OWNER, StubClient } from './stub-client.js';

// The lease's own decisions, without a server: what it reads of the client (state, session id,
// deadline) at the moment `held` is read. The real-server tests (test/integration/lease-edges,
// test/faults/lease-session-change) show the same against ZooKeeper.

/** A watch on our node that never ends: these tests are about the session, not the node. */
const quietNode = {
  ended: new Promise<NodeWatchEnd>(() => undefined),
  stop: () => undefined,
} as unknown as NodeWatch;

function leaseOn(client: StubClient, lostOn: LostOn = 'suspended'): Lease {
  const node = { path: '/lock/_c_x-lock-0000000001', stat: { czxid: 7n, ephemeralOwner: OWNER } };
  return new Lease(client as unknown as ZooKeeper, node, lostOn, quietNode);
}

function lossCauseOf(lease: Lease): LeaseLossCause | undefined {
  const reason: unknown = lease.signal.reason;
  return reason instanceof LeaseLostError ? reason.lossCause : undefined;
}

describe('Lease', () => {
  it('takes its session from its node, not from the client', () => {
    const client = new StubClient();
    client.sessionId = 0x9999n;
    const lease = leaseOn(client);
    expect(lease.sessionId).toBe(OWNER);
    expect(lease.held).toBe(false);
    expect(lossCauseOf(lease)).toBe('lost');
  });

  it('ends when another session takes over, even with no state change seen', () => {
    const client = new StubClient();
    const lease = leaseOn(client, 'lost');
    expect(lease.held).toBe(true);
    client.sessionId = 0x5678n;
    expect(lease.held).toBe(false);
    expect(lossCauseOf(lease)).toBe('lost');
  });

  it('is not held past the session deadline, though no timer ran; the signal aborts on the read', () => {
    const client = new StubClient();
    const lease = leaseOn(client, 'lost');
    client.sessionDeadline = performance.now() - 1;
    expect(lease.signal.aborted).toBe(false);
    expect(lease.held).toBe(false);
    expect(lease.signal.aborted).toBe(true);
    expect(lossCauseOf(lease)).toBe('unconfirmed');
    expect(() => {
      lease.assertHeld();
    }).toThrow(lease.signal.reason as Error);
  });

  it('trusts a session with no deadline only by its state (a read-only server, lostOn lost)', () => {
    const client = new StubClient();
    const lease = leaseOn(client, 'lost');
    client.become('readOnly');
    client.sessionDeadline = undefined;
    expect(lease.held).toBe(true);
  });

  it.each<[LostOn, ZooKeeperState, LeaseLossCause | undefined]>([
    ['suspended', 'suspended', 'suspended'],
    ['suspended', 'readOnly', 'suspended'],
    ['lost', 'suspended', undefined],
    ['lost', 'lost', 'lost'],
    ['lost', 'authFailed', 'lost'],
    ['lost', 'closed', 'closed'],
    ['suspended', 'reconnected', undefined],
  ])('lostOn %s, state %s: ends with %s', (lostOn, state, cause) => {
    const client = new StubClient();
    const lease = leaseOn(client, lostOn);
    client.become(state);
    expect(lossCauseOf(lease)).toBe(cause);
    expect(lease.held).toBe(cause === undefined);
  });

  it('stops observing the client once lost or released', async () => {
    const client = new StubClient();
    const lost = leaseOn(client, 'suspended');
    const released = leaseOn(client, 'lost');
    expect(client.observers.size).toBe(2);
    client.become('suspended');
    expect(lost.held).toBe(false);
    client.become('reconnected');
    await released.release();
    expect(client.deleted).toEqual([released.path]);
    expect(client.observers.size).toBe(0);
  });

  it('release() after its session is gone sends nothing and settles at once', async () => {
    const client = new StubClient();
    const lease = leaseOn(client, 'lost');
    client.become('lost');
    client.sessionId = 0n;
    await lease.release();
    expect(client.deleted).toEqual([]);
  });
});

describe('MultiLease.assertHeld', () => {
  it("after release(), throws a part's earlier loss rather than 'released'", async () => {
    const client = new StubClient();
    const both = new MultiLease([leaseOn(client), leaseOn(client)]);
    client.become('suspended');
    await both.release();
    let thrown: unknown;
    try {
      both.assertHeld();
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(LeaseLostError);
    expect((thrown as LeaseLostError).lossCause).toBe('suspended');
  });
});

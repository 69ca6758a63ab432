import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ConnectionLossError } from '../../../../src/client/errors.js';
import type { HostAddress } from '../../../../src/client/connect-string.js';
import { OpCode } from '../../../../src/protocol/index.js';
import { advance, connected, fakeSession, nextAttempt, settle, useFakeClock } from './fixture.js';
import type { FakeTransport } from './fake-transport.js';

// The leader-confirmed trust (docs/sessions.md, "Trust confirmed by the leader") and the moves off
// a read-only server, with the clock under the test's control.

// A promise the fake clock never settles fails in 5 s, not the unit project's 60.
vi.setConfig({ testTimeout: 5000 });
beforeEach(useFakeClock);
afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

const SYNC = OpCode.sync;

/** Moves the clock until the session writes a sync on `transport` (at most 5 s). */
async function untilSync(transport: FakeTransport): Promise<void> {
  for (let waited = 0; transport.peek()?.opcode !== SYNC; waited += 10) {
    if (waited > 5000) throw new Error('no sync within 5 s');
    await advance(10);
  }
}

describe('Session over a fake transport: trust confirmed by the leader', () => {
  const options = { sessionTimeout: 3000, leaderConfirmation: { tickTime: 500 } };

  it('keeps a chain of syncs going; an answer confirms what was answered a tickTime before the sync left', async () => {
    const fake = fakeSession(options);
    const transport = await connected(fake);
    // T(1 − 2ρ) − ε after the handshake left: 3000 × 0.998 − 60.
    const trusted = 2934;
    expect(fake.session.trustDeadline).toBe(transport.handshakeSentAt + trusted);
    // The first sync leaves at once; its answer proves nothing answered a tickTime before it.
    await advance(0);
    expect(transport.peek()?.opcode).toBe(SYNC);
    transport.reply({ body: { path: '/' } });
    expect(fake.session.trustDeadline).toBe(transport.handshakeSentAt + trusted);

    await advance(150);
    let confirmable = performance.now();
    transport.pingAnswered(confirmable);
    for (let round = 0; round < 3; round++) {
      await untilSync(transport);
      expect(transport.peek()?.value).toEqual({ path: '/' });
      // Answered, but too close to the sync to be confirmed by it: the next sync's business.
      const tooLate = performance.now() - 100;
      transport.pingAnswered(tooLate);
      await advance(5);
      transport.reply({ body: { path: '/' } });
      expect(fake.session.trustDeadline).toBe(confirmable + trusted);
      confirmable = tooLate;
    }
    expect(transport.isOpen).toBe(true);
  });

  it('leaves a server that holds a sync too long, before the deadline, and reconnects without a pause', async () => {
    const fake = fakeSession(options, 2);
    const transport = await connected(fake);
    await untilSync(transport);
    transport.reply({ body: { path: '/' } });
    await untilSync(transport);
    const deadline = fake.session.trustDeadline ?? 0;

    // Pings keep being answered: only the missing sync answer can make it leave.
    for (let waited = 0; transport.isOpen; waited += 5) {
      if (waited > 5000) throw new Error('never left');
      transport.pingAnswered();
      await advance(5);
    }
    const leftAt = transport.closedAt ?? 0;
    expect(leftAt).toBeLessThan(deadline);
    expect(transport.promptReconnect).toBe(true);
    expect(transport.closedWith).toBeInstanceOf(ConnectionLossError);
    await settle();
    const attempt = fake.dialer.pending;
    expect(attempt.at).toBe(leftAt);
    expect(attempt.request.sessionId).toBe(fake.session.sessionId);
  });

  it('the request timeout does not cut the chain: a sync answered late still confirms', async () => {
    const fake = fakeSession({ ...options, requestTimeout: 100 });
    const transport = await connected(fake);
    await advance(0);
    transport.reply({ body: { path: '/' } });
    await advance(150);
    transport.pingAnswered();
    await untilSync(transport);
    const before = fake.session.trustDeadline ?? 0;
    await advance(300);
    expect(transport.isOpen).toBe(true);
    transport.reply({ body: { path: '/' } });
    expect(fake.session.trustDeadline ?? 0).toBeGreaterThan(before);
  });
});

describe('Session over a fake transport: read-only servers', () => {
  it('on a read-only server, probes the others and moves to the read/write one found, with a new session', async () => {
    // Hosts in the order 1, 3, 2 (the shuffle with this draw): after 1 the rotation would go to 3.
    vi.spyOn(Math, 'random').mockReturnValue(0.5);
    const asked: HostAddress[] = [];
    const fake = fakeSession({ canBeReadOnly: true }, 3, (host) => {
      asked.push(host);
      return Promise.resolve(host.port === 2 ? 'rw' : 'ro');
    });
    const started = fake.session.start();
    await settle();
    const first = fake.dialer.pending;
    expect(first.target.port).toBe(1);
    expect(first.request.readOnly).toBe(true);
    const readOnly = first.accept({ readOnly: true });
    await started;
    expect(fake.names()).toEqual(['readOnly']);
    const readOnlyId = fake.session.sessionId;
    // A read-only server's own session is never watched by the loss timer.
    expect(fake.session.trustDeadline).toBeUndefined();

    const next = await nextAttempt(fake);
    expect(readOnly.isOpen).toBe(false);
    expect(asked).toEqual([{ host: '127.0.0.1', port: 2 }]);
    expect(next.target.port).toBe(2);
    expect(next.request.sessionId).toBe(0n);
    next.accept();
    await settle();
    expect(fake.names()).toEqual(['readOnly', 'suspended', 'connected']);
    expect(fake.session.sessionId).not.toBe(readOnlyId);
    expect(fake.session.trustDeadline).toBeDefined();
  });

  it('stays read-only while no other server answers rw', async () => {
    const fake = fakeSession({ canBeReadOnly: true }, 3, () => Promise.resolve('ro'));
    const started = fake.session.start();
    await settle();
    const readOnly = fake.dialer.pending.accept({ readOnly: true });
    await started;
    await advance(5000);
    expect(readOnly.isOpen).toBe(true);
    expect(fake.dialer.attempts).toHaveLength(1);
  });
});

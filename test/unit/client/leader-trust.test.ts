import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CLOCK_RATE_ERROR,
  DEADLINE_MARGIN_MS,
  LeaderTrust,
} from '../../../src/client/session/leader-trust.js';

// The bound itself, on numbers: what an answered sync proves (docs/sessions.md, "Trust confirmed
// by the leader"). The fault tests show it against an ensemble with a follower cut off.

const T = 3000;
const TICK = 500;
const TRUSTED = T * (1 - 2 * CLOCK_RATE_ERROR) - DEADLINE_MARGIN_MS;

describe('LeaderTrust', () => {
  it('trusts a handshake for T, less the clock margins, from when it was sent', () => {
    const trust = new LeaderTrust(T, TICK);
    expect(trust.deadline).toBeUndefined();
    trust.connected(100);
    expect(trust.deadline).toBe(100 + TRUSTED);
  });

  it('extends from a sync answered a tickTime before the one answered, not from the answered one', () => {
    const trust = new LeaderTrust(T, TICK);
    trust.connected(0);
    const first = trust.syncSent(10);
    expect(first.basis).toBeUndefined();
    trust.syncAnswered(first, 15);
    expect(trust.deadline).toBe(TRUSTED);

    // Sent less than a tickTime after the first was answered: that answer proves nothing yet
    // (and, answered within a quarter tickTime of it, it is not kept as a basis itself).
    const early = trust.syncSent(15 + TICK - 1);
    expect(early.basis).toBeUndefined();
    trust.syncAnswered(early, 15 + TICK + 4);
    expect(trust.deadline).toBe(TRUSTED);

    const later = trust.syncSent(15 + TICK);
    expect(later.basis).toBe(10);
    trust.syncAnswered(later, 15 + TICK + 5);
    expect(trust.deadline).toBe(10 + TRUSTED);

    // The newest sync answered a tickTime before is the basis.
    const next = trust.syncSent(15 + TICK + 4 + TICK);
    expect(next.basis).toBe(15 + TICK - 1);
  });

  it('takes any request answered a tickTime before as a basis: a ping extends on the first sync', () => {
    const trust = new LeaderTrust(T, TICK);
    trust.connected(0);
    trust.answered(40, 45);
    const sync = trust.syncSent(45 + TICK);
    expect(sync.basis).toBe(40);
    trust.syncAnswered(sync, 50 + TICK);
    expect(trust.deadline).toBe(40 + TRUSTED);
  });

  it('does not extend once the deadline has passed, whatever the answer proves', () => {
    const trust = new LeaderTrust(T, TICK);
    trust.connected(0);
    const first = trust.syncSent(10);
    trust.syncAnswered(first, 20);
    const late = trust.syncSent(1000);
    expect(late.basis).toBe(10);
    trust.syncAnswered(late, TRUSTED);
    expect(trust.deadline).toBe(TRUSTED);
  });

  it('hands back the mark of the basis when the deadline now counts from it, and only then', () => {
    const trust = new LeaderTrust(T, TICK);
    trust.connected(0);
    trust.answered(40, 45, 7);
    const sync = trust.syncSent(45 + TICK);
    expect(trust.syncAnswered(sync, 50 + TICK, 8)).toBe(7);
    // The same basis again proves nothing new.
    const again = trust.syncSent(46 + TICK);
    expect(again.basis).toBe(40);
    expect(trust.syncAnswered(again, 51 + TICK, 9)).toBeUndefined();
  });

  it('proves nothing across connections: a reconnect starts the history again', () => {
    const trust = new LeaderTrust(T, TICK);
    trust.connected(0);
    trust.syncAnswered(trust.syncSent(10), 20);
    trust.connected(1000);
    expect(trust.deadline).toBe(1000 + TRUSTED);
    expect(trust.syncSent(2000).basis).toBeUndefined();
  });

  it('has no cadence when T leaves no room past a tickTime', () => {
    expect(new LeaderTrust(TICK, TICK).syncIntervalMs).toBeUndefined();
    expect(new LeaderTrust(T, TICK).syncIntervalMs).toBeCloseTo((TRUSTED - TICK - TICK / 4) / 3);
  });

  it('at its cadence, with answers in time, keeps the deadline ahead of the clock for good', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1000, max: 60_000 }),
        fc.integer({ min: 50, max: 2000 }),
        fc.double({ min: 0, max: 0.2, noNaN: true }),
        (sessionTimeout, tick, rttShare) => {
          const trust = new LeaderTrust(sessionTimeout, tick);
          const interval = trust.syncIntervalMs;
          fc.pre(interval !== undefined && interval >= 10);
          // Answers take up to a fifth of the interval: far more than a healthy round trip.
          const rtt = interval * rttShare;
          trust.connected(0);
          let now = 0;
          for (let round = 0; round < 200; round++) {
            now += interval;
            const deadline = trust.deadline ?? -Infinity;
            expect(now + rtt).toBeLessThan(deadline);
            const ticket = trust.syncSent(now);
            trust.syncAnswered(ticket, now + rtt);
          }
        },
      ),
    );
  });

  it('never trusts past T after the send of a request answered a tickTime before a sync answered in time', () => {
    // Soundness only (the cadence test covers progress): requests are sampled, so the proof the
    // implementation keeps may be weaker than this oracle's, never stronger.
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 1, max: 2000 }), fc.integer({ min: 0, max: 300 })), {
          maxLength: 40,
        }),
        (steps) => {
          const trust = new LeaderTrust(T, TICK);
          trust.connected(0);
          // An independent oracle: the send times a sync answered in time has proven.
          const proven = new Set([0]);
          const answered: { sentAt: number; answeredAt: number }[] = [];
          let now = 0;
          for (const [gap, rtt] of steps) {
            now += gap;
            const before = trust.deadline ?? -Infinity;
            trust.syncAnswered(trust.syncSent(now), now + rtt);
            if (now + rtt < before) {
              for (const a of answered) if (a.answeredAt <= now - TICK) proven.add(a.sentAt);
            }
            expect(trust.deadline).toBeLessThanOrEqual(Math.max(...proven) + TRUSTED);
            expect(trust.deadline).toBeGreaterThanOrEqual(TRUSTED);
            answered.push({ sentAt: now, answeredAt: now + rtt });
            now += rtt;
          }
        },
      ),
    );
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { pingDue, pingThreshold } from '../../../src/client/transport/ping-policy.js';

describe('ping policy (the Java client rule)', () => {
  it('pings after readTimeout/2 − 1 s of idle sending for common timeouts', () => {
    // T = 30 s: read timeout 20 s, ping after 9 s idle.
    expect(pingDue(20_000, 8_999)).toBe(false);
    expect(pingDue(20_000, 9_000)).toBe(true);
    // Never more than 10 s without a ping, however long the session timeout.
    expect(pingDue(60_000, 10_001)).toBe(true);
  });

  it('wakes up exactly when the rule first holds', () => {
    fc.assert(
      fc.property(fc.integer({ min: 100, max: 200_000 }), (readTimeout) => {
        const threshold = pingThreshold(readTimeout);
        expect(pingDue(readTimeout, threshold)).toBe(true);
        expect(pingDue(readTimeout, threshold - 1)).toBe(false);
      }),
      { numRuns: 2000 },
    );
  });
});

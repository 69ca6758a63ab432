import { describe, expect, it } from 'vitest';
import {
  AuthFailedError,
  ClientClosedError,
  InvalidArgumentError,
  SessionExpiredError,
} from '../../../src/index.js';
import type { ZooKeeper, ZooKeeperState } from '../../../src/index.js';
import {
  trustEnded,
  validateLostOn,
  waitEndFor,
} from '../../../src/recipes/coordination/hold-policy.js';
import { OWNER, StubClient } from './stub-client.js';

// The one table of what a session state means for a hold and for a wait (hold-policy.ts), row by
// row, without a server. The fault tests show the same rows against real outages.

function client(state: ZooKeeperState, changes: Partial<StubClient> = {}): ZooKeeper {
  return Object.assign(new StubClient(), { state }, changes) as unknown as ZooKeeper;
}

describe('trustEnded: what a state means for a hold', () => {
  const rows: [ZooKeeperState, string | undefined, string | undefined][] = [
    // state, lostOn 'suspended', lostOn 'lost'
    ['connected', undefined, undefined],
    ['reconnected', undefined, undefined],
    ['suspended', 'suspended', undefined],
    ['readOnly', 'suspended', undefined],
    ['lost', 'lost', 'lost'],
    ['authFailed', 'lost', 'lost'],
    ['closed', 'closed', 'closed'],
  ];
  it.each(rows)('%s: %s with lostOn suspended, %s with lostOn lost', (state, early, late) => {
    expect(trustEnded(client(state), OWNER, 'suspended')).toBe(early);
    expect(trustEnded(client(state), OWNER, 'lost')).toBe(late);
  });

  it('a hold is closed as soon as close() begins, before any state says so', () => {
    expect(trustEnded(client('connected', { closing: true }), OWNER, 'lost')).toBe('closed');
  });

  it('a hold of another session is gone: ours went with our node', () => {
    expect(trustEnded(client('connected', { sessionId: 0x99n }), OWNER, 'lost')).toBe('lost');
  });

  it('past the deadline the leader confirmed, a hold is not trusted, whatever lostOn says', () => {
    const late = client('connected', { sessionDeadline: performance.now() - 1 });
    expect(trustEnded(late, OWNER, 'lost')).toBe('unconfirmed');
  });
});

describe('waitEndFor: what a state means for a wait', () => {
  it('ends on lost, closed or closing, and authFailed, each with its error', () => {
    expect(waitEndFor(client('lost'), 'lost', '/a')).toBeInstanceOf(SessionExpiredError);
    expect(waitEndFor(client('closed'), 'closed', '/a')).toBeInstanceOf(ClientClosedError);
    const closing = client('connected', { closing: true });
    expect(waitEndFor(closing, 'connected', '/a')).toBeInstanceOf(ClientClosedError);
    expect(waitEndFor(client('authFailed'), 'authFailed', '/a')).toBeInstanceOf(AuthFailedError);
  });

  it('goes on through suspended, readOnly and reconnected', () => {
    for (const state of ['suspended', 'readOnly', 'reconnected', 'connected'] as const) {
      expect(waitEndFor(client(state), state, '/a')).toBeUndefined();
    }
  });
});

describe('validateLostOn', () => {
  it("defaults to the safe 'suspended' and refuses anything else", () => {
    expect(validateLostOn(undefined)).toBe('suspended');
    expect(validateLostOn('lost')).toBe('lost');
    expect(() => validateLostOn('never')).toThrow(InvalidArgumentError);
  });
});

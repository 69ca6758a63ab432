import { describe, expect, it } from 'vitest';
import { ClientClosedError, SessionExpiredError } from '../../../src/index.js';
import type { ZooKeeper } from '../../../src/index.js';
import { GiveUp } from '../../../src/recipes/coordination/give-up.js';
import { StubClient } from './stub-client.js';

// Which session a wait belongs to, without a server: test/integration/lease-edges.test.ts shows
// the same against ZooKeeper for a wait begun while the session is lost.

function waitOn(client: StubClient): GiveUp {
  return new GiveUp(client as unknown as ZooKeeper, '/lock', {});
}

describe('GiveUp', () => {
  it('ends the wait when another session connects', () => {
    const client = new StubClient();
    const give = waitOn(client);
    client.openSession(0x77n);
    expect(give.reason()).toBeInstanceOf(SessionExpiredError);
    give.dispose();
  });

  it('begun with no session to trust (lost), waits in the next one', () => {
    const client = new StubClient();
    client.state = 'lost';
    client.sessionId = 0n;
    client.sessionDeadline = undefined;
    const give = waitOn(client);
    client.openSession(0x77n);
    expect(give.reason()).toBeUndefined();
    give.ownedBy(0x77n);
    expect(give.reason()).toBeUndefined();
    give.ownedBy(0x88n);
    expect(give.reason()).toBeInstanceOf(SessionExpiredError);
    give.dispose();
  });

  it("begun on a read-only server's own session, waits in the read/write session that follows", () => {
    const client = new StubClient();
    client.state = 'readOnly';
    client.sessionId = 0x55n;
    client.sessionDeadline = undefined;
    const give = waitOn(client);
    client.become('suspended');
    client.openSession(0x77n);
    expect(give.reason()).toBeUndefined();
    give.dispose();
  });

  it('ends as close() begins', () => {
    const client = new StubClient();
    const give = waitOn(client);
    client.closing = true;
    client.become('connected');
    expect(give.reason()).toBeInstanceOf(ClientClosedError);
    give.dispose();
  });
});

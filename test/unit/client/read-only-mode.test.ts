import { describe, expect, it } from 'vitest';
import type { HostAddress } from '../../../src/client/connect-string.js';
import type { Transport } from '../../../src/client/transport/transport.js';
import { Connector } from '../../../src/client/transport/connector.js';
import type { Opened } from '../../../src/client/transport/connector.js';
import { ReadOnlyMode } from '../../../src/client/session/read-only-mode.js';
import type { ConnectResponse } from '../../../src/protocol/index.js';

const HOSTS: HostAddress[] = [{ host: '127.0.0.1', port: 1 }];

function mode(): ReadOnlyMode {
  const connector = new Connector({
    hosts: HOSTS,
    sessionTimeoutMs: 10_000,
    canBeReadOnly: true,
    maxRequestFrame: 1024,
    maxResponseFrame: 1024,
  });
  return new ReadOnlyMode(connector, { hosts: HOSTS }, new AbortController().signal);
}

/** A handshake's outcome; the connection is a stand-in: with one host the probe never runs. */
function response(sessionId: bigint, readOnly: boolean): Opened {
  const connection = { server: HOSTS[0], isOpen: false } as unknown as Transport;
  const answer: ConnectResponse = {
    protocolVersion: 0,
    timeOut: 10_000,
    sessionId,
    passwd: new Uint8Array(16).fill(7),
    readOnly,
  };
  return { connection, response: answer };
}

const session = { sessionId: 5n, password: new Uint8Array(16).fill(7), lastZxid: 42n };

describe('ReadOnlyMode (sessions of read-only servers)', () => {
  it('presents a read/write session again, as any session', () => {
    const ro = mode();
    expect(ro.adopted(response(5n, false), 'reconnected')).toBe('reconnected');
    expect(ro.credentials(session)).toBe(session);
  });

  it("never presents a read-only server's session again: a new one, keeping the zxid", () => {
    const ro = mode();
    expect(ro.adopted(response(5n, true), 'connected')).toBe('readOnly');
    const next = ro.credentials(session);
    expect(next.sessionId).toBe(0n);
    expect([...next.password]).toEqual(new Array(16).fill(0));
    expect(next.lastZxid).toBe(42n);
  });

  it('reports the new session on a read/write server as connected, even on a reconnect', () => {
    const ro = mode();
    ro.adopted(response(5n, true), 'connected');
    expect(ro.adopted(response(6n, true), 'reconnected')).toBe('readOnly');
    expect(ro.adopted(response(7n, false), 'reconnected')).toBe('connected');
    expect(ro.adopted(response(7n, false), 'reconnected')).toBe('reconnected');
  });
});

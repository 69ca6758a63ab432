import { describe, expect, it } from 'vitest';
import type { HostAddress } from '../../../src/client/connect-string.js';
import { Connector } from '../../../src/client/connector.js';
import { ReadOnlyMode } from '../../../src/client/read-only-mode.js';
import type { ConnectResponse } from '../../../src/protocol/index.js';

const HOSTS: HostAddress[] = [{ host: '127.0.0.1', port: 1 }];

function mode(): ReadOnlyMode {
  const connector = new Connector(
    {
      hosts: HOSTS,
      sessionTimeoutMs: 10_000,
      canBeReadOnly: true,
      maxRequestFrame: 1024,
      maxResponseFrame: 1024,
    },
    { onNotification: () => undefined, onZxid: () => undefined, onClose: () => undefined },
    { socketWrites: 0, framesSent: 0, framesReceived: 0 },
    { lastAnsweredSendTime: 0 },
  );
  return new ReadOnlyMode(connector, HOSTS, new AbortController().signal);
}

function response(sessionId: bigint, readOnly: boolean): ConnectResponse {
  return {
    protocolVersion: 0,
    timeOut: 10_000,
    sessionId,
    passwd: new Uint8Array(16).fill(7),
    readOnly,
  };
}

const session = { sessionId: 5n, password: new Uint8Array(16).fill(7), lastZxid: 42n };

describe('ReadOnlyMode (sessions of read-only servers)', () => {
  it('presents a read/write session again, as any session', () => {
    const ro = mode();
    expect(ro.stateFor(response(5n, false), 'reconnected')).toBe('reconnected');
    expect(ro.sessionIsLocal).toBe(false);
    expect(ro.credentials(session)).toBe(session);
  });

  it("never presents a read-only server's session again: a new one, keeping the zxid", () => {
    const ro = mode();
    expect(ro.stateFor(response(5n, true), 'connected')).toBe('readOnly');
    expect(ro.sessionIsLocal).toBe(true);
    const next = ro.credentials(session);
    expect(next.sessionId).toBe(0n);
    expect([...next.password]).toEqual(new Array(16).fill(0));
    expect(next.lastZxid).toBe(42n);
  });

  it('reports the new session on a read/write server as connected, even on a reconnect', () => {
    const ro = mode();
    ro.stateFor(response(5n, true), 'connected');
    expect(ro.stateFor(response(6n, true), 'reconnected')).toBe('readOnly');
    expect(ro.stateFor(response(7n, false), 'reconnected')).toBe('connected');
    expect(ro.sessionIsLocal).toBe(false);
    expect(ro.stateFor(response(7n, false), 'reconnected')).toBe('reconnected');
  });
});

import { afterEach, describe, expect, it } from 'vitest';
import { ConnectionLossError, SessionExpiredError } from '../../../src/index.js';
import { Connection } from '../../../src/client/transport/connection.js';
import type { TransportEvents } from '../../../src/client/transport/transport.js';
import { PendingRequests } from '../../../src/client/session/pending-requests.js';
import { Request } from '../../../src/client/session/request.js';
import { OpCode } from '../../../src/protocol/index.js';
import { scriptedServer } from './scripted-server.js';
import type { ScriptedServer } from './scripted-server.js';

/** Records the opcode of every request it receives and answers none: only what left matters. */
async function recordingServer(): Promise<ScriptedServer & { received: number[] }> {
  const received: number[] = [];
  const server = await scriptedServer(({ type }) => {
    received.push(type);
    return undefined;
  });
  return Object.assign(server, { received });
}

/** A connection whose requests a PendingRequests owns, as the session's do. */
async function connect(
  port: number,
): Promise<{ connection: Connection; pending: PendingRequests }> {
  const pending = new PendingRequests(0, { onZxid: () => undefined, onAnswered: () => undefined });
  const events: TransportEvents = {
    onReply: (transport, header, reader, receivedAt) => {
      pending.replied(transport, header, reader, receivedAt);
    },
    onNotification: () => undefined,
    onAuthReply: () => undefined,
    onAnswered: () => undefined,
    onClose: (transport, error) => {
      pending.transportClosed(transport, error);
    },
  };
  const { transport } = await Connection.open(
    {
      host: '127.0.0.1',
      port,
      connectTimeoutMs: 5000,
      maxRequestFrame: 1 << 20,
      maxResponseFrame: 1 << 20,
    },
    {
      protocolVersion: 0,
      lastZxidSeen: 0n,
      timeOut: 10_000,
      sessionId: 0n,
      passwd: null,
      readOnly: false,
    },
    events,
    { socketWrites: 0, framesSent: 0, framesReceived: 0 },
  );
  return { connection: transport, pending };
}

/** A sync request (no body needed by this server) and the error it failed with, if any. */
function syncRequest(xid: number): { request: Request; failure: Promise<Error | undefined> } {
  let request!: Request;
  const failure = new Promise<Error | undefined>((resolve) => {
    request = new Request(
      xid,
      OpCode.sync,
      '/',
      null,
      () => {
        resolve(undefined);
      },
      resolve,
      undefined,
    );
  });
  return { request, failure };
}

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

describe('Connection.close', () => {
  it('sends nothing of what this tick batched: the request fails and never reaches the server', async () => {
    const server = await recordingServer();
    cleanups.push(() => {
      server.close();
    });
    const { connection, pending } = await connect(server.port);
    const { request, failure } = syncRequest(1);

    pending.send(connection, request, null, undefined);
    // The session declared itself lost in the same tick (its loss timer, after a stall).
    connection.close(new SessionExpiredError());
    await server.clientGone;

    expect(server.received).toEqual([]);
    expect(await failure).toBeInstanceOf(SessionExpiredError);
  });

  it('after a flush, the server did get the request (what the test above would see if sent)', async () => {
    const server = await recordingServer();
    cleanups.push(() => {
      server.close();
    });
    const { connection, pending } = await connect(server.port);
    const { request, failure } = syncRequest(1);

    pending.send(connection, request, null, undefined);
    await new Promise((resolve) => setImmediate(resolve));
    connection.close(new ConnectionLossError(undefined, 'CONNECTIONLOSS: test'));
    await server.clientGone;

    expect(server.received).toEqual([OpCode.sync]);
    expect(await failure).toBeInstanceOf(ConnectionLossError);
  });
});

import { afterEach, describe, expect, it } from 'vitest';
import { ConnectionLossError, SessionExpiredError } from '../../../src/index.js';
import { Connection } from '../../../src/client/transport/connection.js';
import type { ConnectionHandlers } from '../../../src/client/transport/connection.js';
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

const handlers: ConnectionHandlers = {
  onNotification: () => undefined,
  onZxid: () => undefined,
  onAuthReply: () => undefined,
  onClose: () => undefined,
};

async function connect(port: number): Promise<Connection> {
  const { connection } = await Connection.open(
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
    handlers,
    { socketWrites: 0, framesSent: 0, framesReceived: 0 },
    { lastAnsweredSendTime: 0 },
  );
  return connection;
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
    const connection = await connect(server.port);
    const { request, failure } = syncRequest(1);

    connection.send(request, null, undefined);
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
    const connection = await connect(server.port);
    const { request, failure } = syncRequest(1);

    connection.send(request, null, undefined);
    await new Promise((resolve) => setImmediate(resolve));
    connection.close(new ConnectionLossError(undefined, 'CONNECTIONLOSS: test'));
    await server.clientGone;

    expect(server.received).toEqual([OpCode.sync]);
    expect(await failure).toBeInstanceOf(ConnectionLossError);
  });
});

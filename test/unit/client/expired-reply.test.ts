import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { SessionExpiredError, ZooKeeper } from '../../../src/index.js';
import type { StateChange } from '../../../src/index.js';
import {
  ConnectResponse,
  ErrorCode,
  FrameSplitter,
  JuteReader,
  JuteWriter,
  ReplyHeader,
  RequestHeader,
  Xid,
} from '../../../src/protocol/index.js';

/**
 * A scripted server for a reply a real one sends only in a narrow race (a request that reaches it
 * just after it expired the session): every request is answered SESSIONEXPIRED, and pings are
 * answered normally, so the connection itself stays healthy.
 */
async function expiringServer(): Promise<{ port: number; close(): void }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    const splitter = new FrameSplitter(1 << 20);
    let handshakeDone = false;
    socket.on('error', () => undefined);
    socket.on('data', (chunk) => {
      splitter.push(chunk, (frame) => {
        const w = new JuteWriter();
        const start = w.beginFrame();
        if (!handshakeDone) {
          handshakeDone = true;
          ConnectResponse.write(w, {
            protocolVersion: 0,
            timeOut: 10_000,
            sessionId: 0x42n,
            passwd: new Uint8Array(16),
            readOnly: false,
          });
        } else {
          const { xid } = RequestHeader.read(new JuteReader(frame));
          const err = xid === Xid.ping ? 0 : ErrorCode.SESSIONEXPIRED;
          ReplyHeader.write(w, { xid, zxid: 0n, err });
        }
        w.endFrame(start);
        socket.write(w.finish());
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    close() {
      for (const socket of sockets) socket.destroy();
      server.close();
    },
  };
}

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('a reply that says the session expired', () => {
  it('ends the session at once (lost, expired) and is no proof of life for its deadline', async () => {
    const server = await expiringServer();
    cleanups.push(() => {
      server.close();
    });
    const zk = await ZooKeeper.connect(`127.0.0.1:${server.port}`, { newSessionOnLoss: false });
    cleanups.push(() => zk.close());
    const changes: StateChange[] = [];
    zk.on('state', (_state, change) => changes.push(change));

    const error = await zk.exists('/x').then(
      () => undefined,
      (rejection: unknown) => rejection,
    );

    expect(error).toBeInstanceOf(SessionExpiredError);
    expect(zk.state).toBe('lost');
    expect(zk.sessionDeadline).toBeUndefined();
    expect(changes.map(({ state, cause }) => [state, cause])).toEqual([['lost', 'expired']]);
  });
});

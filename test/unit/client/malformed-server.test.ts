import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ConnectionLossError, ProtocolError, ZooKeeper } from '../../../src/index.js';
import {
  ConnectResponse,
  FrameSplitter,
  JuteReader,
  JuteWriter,
  ReplyHeader,
  RequestHeader,
} from '../../../src/protocol/index.js';

/**
 * A scripted server for what a real ZooKeeper never sends: after a normal handshake it answers the
 * first request with whatever `reply` builds. The real-server tests cover everything else.
 */
async function fakeServer(
  reply: (xid: number) => Buffer,
): Promise<{ port: number; close(): void }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    const splitter = new FrameSplitter(1 << 20);
    let handshakeDone = false;
    socket.on('error', () => undefined);
    socket.on('data', (chunk) => {
      splitter.push(chunk, (frame) => {
        const w = new JuteWriter();
        if (!handshakeDone) {
          handshakeDone = true;
          const start = w.beginFrame();
          ConnectResponse.write(w, {
            protocolVersion: 0,
            timeOut: 4000,
            sessionId: 0x1234n,
            passwd: new Uint8Array(16).fill(7),
            readOnly: false,
          });
          w.endFrame(start);
          socket.write(w.finish());
          return;
        }
        const header = RequestHeader.read(new JuteReader(frame));
        if (header.xid < 0) return; // pings
        socket.write(reply(header.xid));
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address() as net.AddressInfo;
  return {
    port: address.port,
    close() {
      for (const socket of sockets) socket.destroy();
      server.close();
    },
  };
}

function frame(build: (w: JuteWriter) => void): Buffer {
  const w = new JuteWriter();
  const start = w.beginFrame();
  build(w);
  w.endFrame(start);
  return w.finish();
}

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function clientFor(reply: (xid: number) => Buffer): Promise<ZooKeeper> {
  const server = await fakeServer(reply);
  cleanups.push(() => {
    server.close();
  });
  const zk = await ZooKeeper.connect(`127.0.0.1:${server.port}`, {
    sessionTimeout: 4000,
    maxResponseSize: 4096,
  });
  cleanups.push(() => zk.close());
  return zk;
}

async function expectProtocolLoss(promise: Promise<unknown>, pattern: RegExp): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ConnectionLossError);
  const cause = (error as Error).cause;
  expect(cause).toBeInstanceOf(ProtocolError);
  expect((cause as Error).message).toMatch(pattern);
}

describe('a server that sends malformed frames', () => {
  it('fails the request with ConnectionLossError when a reply has the wrong xid', async () => {
    const zk = await clientFor((xid) =>
      frame((w) => {
        ReplyHeader.write(w, { xid: xid + 1, zxid: 5n, err: 0 });
      }),
    );
    await expectProtocolLoss(zk.exists('/a'), /xid/);
  });

  it('fails the request when its reply body is truncated', async () => {
    const zk = await clientFor((xid) =>
      frame((w) => {
        ReplyHeader.write(w, { xid, zxid: 5n, err: 0 });
        w.int(100); // a data length with no data behind it
      }),
    );
    await expectProtocolLoss(zk.getData('/a'), /.+/);
  });

  it('fails the request when a frame exceeds the inbound limit', async () => {
    const zk = await clientFor(() => {
      const header = Buffer.alloc(4);
      header.writeInt32BE(1 << 20);
      return header;
    });
    await expectProtocolLoss(zk.getData('/a'), /.+/);
  });

  it('reconnects with the same session after dropping the bad connection', async () => {
    let replies = 0;
    const zk = await clientFor((xid) => {
      replies++;
      return frame((w) => {
        ReplyHeader.write(w, {
          xid: replies === 1 ? xid + 1 : xid,
          zxid: 5n,
          err: replies === 1 ? 0 : -101,
        });
      });
    });
    const states: string[] = [];
    zk.on('state', (state) => states.push(state));
    await expect(zk.exists('/a')).rejects.toBeInstanceOf(ConnectionLossError);
    // Requests made while suspended wait for the reconnect, then go out on the new connection.
    await expect(zk.exists('/a')).resolves.toBeNull();
    expect(states).toEqual(['suspended', 'reconnected']);
    expect(zk.sessionId).toBe(0x1234n);
  });
});

import { afterEach, describe, expect, it } from 'vitest';
import { ConnectionLossError, ProtocolError, ZooKeeper } from '../../../src/index.js';
import { ReplyHeader } from '../../../src/protocol/index.js';
import { frame, scriptedServer } from './scripted-server.js';
import type { ScriptedServer } from './scripted-server.js';

// What a real ZooKeeper never sends: malformed frames, on a scripted server. The real-server
// tests cover everything else.

/** After a normal handshake, answers each request (not pings) with whatever `reply` builds. */
function fakeServer(reply: (xid: number) => Buffer): Promise<ScriptedServer> {
  return scriptedServer(({ xid }) => (xid < 0 ? undefined : reply(xid)));
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

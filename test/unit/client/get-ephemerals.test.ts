import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ZooKeeper } from '../../../src/index.js';
import {
  ConnectResponse,
  FrameSplitter,
  GetEphemeralsRequest,
  GetEphemeralsResponse,
  JuteReader,
  JuteWriter,
  OpCode,
  ReplyHeader,
  RequestHeader,
} from '../../../src/protocol/index.js';

// What getEphemerals sends and keeps, which a real server cannot show: a chrooted session cannot
// own an ephemeral outside its chroot, so the filter is fed here by a scripted server that
// answers with paths of its choosing and records the prefix it was asked for.

function frame(build: (w: JuteWriter) => void): Buffer {
  const w = new JuteWriter();
  const start = w.beginFrame();
  build(w);
  w.endFrame(start);
  return w.finish();
}

interface Scripted {
  readonly port: number;
  readonly prefixes: string[];
  close(): void;
}

async function ephemeralsServer(ephemerals: string[]): Promise<Scripted> {
  const sockets = new Set<net.Socket>();
  const prefixes: string[] = [];
  const server = net.createServer((socket) => {
    sockets.add(socket);
    const splitter = new FrameSplitter(1 << 20);
    let handshakeDone = false;
    socket.on('error', () => undefined);
    socket.on('data', (chunk) => {
      splitter.push(chunk, (request) => {
        if (!handshakeDone) {
          handshakeDone = true;
          socket.write(
            frame((w) => {
              ConnectResponse.write(w, {
                protocolVersion: 0,
                timeOut: 4000,
                sessionId: 0x1234n,
                passwd: new Uint8Array(16).fill(7),
                readOnly: false,
              });
            }),
          );
          return;
        }
        const r = new JuteReader(request);
        const header = RequestHeader.read(r);
        if (header.xid < 0) return; // pings
        socket.write(
          frame((w) => {
            ReplyHeader.write(w, { xid: header.xid, zxid: 5n, err: 0 });
            if (header.type === OpCode.getEphemerals) {
              prefixes.push(GetEphemeralsRequest.read(r).prefixPath);
              GetEphemeralsResponse.write(w, { ephemerals });
            }
          }),
        );
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    prefixes,
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

async function connect(ephemerals: string[], chroot: string): Promise<[ZooKeeper, Scripted]> {
  const server = await ephemeralsServer(ephemerals);
  cleanups.push(() => {
    server.close();
  });
  const zk = await ZooKeeper.connect(`127.0.0.1:${server.port}${chroot}`, {
    sessionTimeout: 4000,
  });
  cleanups.push(() => zk.close());
  return [zk, server];
}

describe('getEphemerals under a chroot', () => {
  it('sends chroot + prefix, strips the chroot, and drops paths outside it', async () => {
    const [zk, server] = await connect(
      ['/app/locks/lock-1', '/app', '/app2/x', '/other/y', '/app/e'],
      '/app',
    );
    expect(await zk.getEphemerals('/locks/lock-')).toEqual(['/locks/lock-1', '/e']);
    expect(await zk.getEphemerals()).toEqual(['/locks/lock-1', '/e']);
    expect(server.prefixes).toEqual(['/app/locks/lock-', '/app/']);
  });

  it('without a chroot, sends the prefix as given and keeps every path', async () => {
    const [zk, server] = await connect(['/a', '/b/c'], '');
    expect(await zk.getEphemerals()).toEqual(['/a', '/b/c']);
    expect(server.prefixes).toEqual(['/']);
  });
});

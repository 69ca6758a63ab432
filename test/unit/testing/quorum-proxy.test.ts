import { Buffer } from 'node:buffer';
import net from 'node:net';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { advertiseElectionAddress } from '../../../src/testing/election-handshake.js';
import { FaultProxy } from '../../../src/testing/fault-proxy.js';
import { freePort } from '../../../src/testing/free-port.js';
import { until } from '../../support/poll.js';

// What the ensemble's quorum links need from FaultProxy: bytes that are not ZooKeeper client
// frames forwarded exactly, the election header's address rewritten, and a target that is not
// listening yet retried rather than reset at once.

/** An election connection's first bytes: version, id, address; then whatever follows. */
function header(version: bigint, sid: bigint, address: string): Buffer {
  const fixed = Buffer.alloc(20);
  fixed.writeBigInt64BE(version, 0);
  fixed.writeBigInt64BE(sid, 8);
  fixed.writeInt32BE(Buffer.byteLength(address), 16);
  return Buffer.concat([fixed, Buffer.from(address)]);
}

function cut(stream: Buffer, points: readonly number[]): Buffer[] {
  const sorted = [...new Set([0, ...points, stream.length])].sort((a, b) => a - b);
  return sorted.slice(1).map((end, i) => stream.subarray(sorted[i], end));
}

const V1 = -65536n;
const after = Buffer.from('notifications follow');

describe('advertiseElectionAddress', () => {
  it('replaces the address in the header, however the stream is cut, and nothing else', () => {
    const stream = Buffer.concat([header(V1, 2n, '127.0.0.1:41234'), after]);
    const expected = Buffer.concat([header(V1, 2n, '127.0.0.1:9'), after]);
    fc.assert(
      fc.property(fc.array(fc.nat(stream.length), { maxLength: 10 }), (points) => {
        const rewrite = advertiseElectionAddress('127.0.0.1:9');
        const out = Buffer.concat(cut(stream, points).map((chunk) => rewrite(chunk)));
        expect(out).toEqual(expected);
      }),
    );
  });

  it('passes streams that do not start with such a header untouched', () => {
    const oldStyle = Buffer.concat([Buffer.from([0, 0, 0, 0, 0, 0, 0, 3]), after]);
    const hugeLength = Buffer.concat([header(V1, 1n, ''), Buffer.alloc(8, 0xff)]);
    hugeLength.writeInt32BE(0x7fffffff, 16);
    for (const stream of [oldStyle, hugeLength]) {
      const rewrite = advertiseElectionAddress('127.0.0.1:9');
      expect(Buffer.concat(cut(stream, [3, 9, 17]).map((chunk) => rewrite(chunk)))).toEqual(stream);
    }
  });
});

const closers: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

/** A TCP server on `port` that collects what it receives. */
async function sink(port = 0): Promise<{ port: number; received: () => Buffer }> {
  const parts: Buffer[] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('data', (chunk) => parts.push(chunk));
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  closers.push(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => {
      server.close(() => {
        resolve();
      });
    });
  });
  return { port: (server.address() as net.AddressInfo).port, received: () => Buffer.concat(parts) };
}

async function send(port: number, bytes: Buffer): Promise<net.Socket> {
  const socket = net.connect(port, '127.0.0.1');
  await new Promise((resolve) => socket.once('connect', resolve));
  socket.on('error', () => undefined);
  closers.push(async () => {
    socket.destroy();
    return Promise.resolve();
  });
  socket.write(bytes);
  return socket;
}

/** Everything runs on loopback in this process: 2 s is long for any of it. */
const LOOPBACK = { timeoutMs: 2000 } as const;

describe("FaultProxy with traffic: 'opaque'", () => {
  it('forwards bytes that would read as a 2 GB client frame exactly, and counts nothing', async () => {
    const target = await sink();
    const proxy = await FaultProxy.start({
      target: { host: '127.0.0.1', port: target.port },
      traffic: 'opaque',
    });
    closers.push(async () => proxy.stop());
    const bytes = Buffer.concat([Buffer.from([0x7f, 0xff, 0xff, 0xf0]), Buffer.alloc(100_000, 1)]);
    await send(proxy.port, bytes);
    await until(
      'every byte at the target',
      () => target.received().length === bytes.length,
      LOOPBACK,
    );
    expect(target.received()).toEqual(bytes);
    expect(proxy.counts().clientToServer.frames).toBe(0);
    await expect(proxy.dropReplyTo(15)).rejects.toBeInstanceOf(RangeError);
  });

  it('with connectAttempts, delivers to a target that starts listening after the client came', async () => {
    const port = await freePort();
    const proxy = await FaultProxy.start(
      { target: { host: '127.0.0.1', port }, traffic: 'opaque' },
      { connectAttempts: 5 },
    );
    closers.push(async () => proxy.stop());
    const client = await send(proxy.port, Buffer.from('FOLLOWERINFO'));
    let reset = false;
    client.on('close', () => (reset = true));
    await new Promise((resolve) => setTimeout(resolve, 150));
    const target = await sink(port);
    await until(
      'FOLLOWERINFO at the target',
      () => target.received().toString() === 'FOLLOWERINFO',
      LOOPBACK,
    );
    expect(reset).toBe(false);
  });

  it('without connectAttempts, resets the client of a refused target at once', async () => {
    const proxy = await FaultProxy.start({ target: { host: '127.0.0.1', port: await freePort() } });
    closers.push(async () => proxy.stop());
    const client = await send(proxy.port, Buffer.from('x'));
    let reset = false;
    client.on('close', () => (reset = true));
    await until('the reset of the client', () => reset, { timeoutMs: 500 });
  });
});

import { describe, expect, it } from 'vitest';
import {
  ConnectionLossError,
  InvalidArgumentError,
  RequestTimeoutError,
} from '../../../../src/client/errors.js';
import { PendingRequests } from '../../../../src/client/session/pending-requests.js';
import { Request } from '../../../../src/client/session/request.js';
import type { TransportEvents } from '../../../../src/client/transport/transport.js';
import { OpCode, SyncRequest, SyncResponse } from '../../../../src/protocol/index.js';
import { FakeTransport } from './fake-transport.js';

// The one owner of pending requests, on its own: what fails when, and what a reply settles.

function owner(): { pending: PendingRequests; transport: () => FakeTransport } {
  const pending = new PendingRequests(0, { onZxid: () => undefined, onAnswered: () => undefined });
  const events: TransportEvents = {
    onReply: (t, header, reader, at) => {
      pending.replied(t, header, reader, at);
    },
    onClose: (t, error) => {
      pending.transportClosed(t, error);
    },
    onNotification: () => undefined,
    onAuthReply: () => undefined,
    onAnswered: () => undefined,
  };
  let port = 0;
  return {
    pending,
    transport: () => new FakeTransport({ host: '127.0.0.1', port: ++port }, {} as never, 0, events),
  };
}

let xid = 0;
function sync(path = '/'): { request: Request; settled: Promise<unknown> } {
  let request!: Request;
  const settled = new Promise((resolve, reject) => {
    request = new Request(++xid, OpCode.sync, path, SyncResponse, resolve, reject, undefined);
  });
  settled.catch(() => undefined);
  return { request, settled };
}

describe('PendingRequests', () => {
  it('a write to a closed transport fails alone; what is in flight on the live one is untouched', async () => {
    const { pending, transport } = owner();
    const live = transport();
    const inFlight = sync('/live');
    pending.send(live, inFlight.request, SyncRequest, { path: '/live' });
    const gone = transport();
    gone.drop();
    const stray = sync('/stray');
    pending.send(gone, stray.request, SyncRequest, { path: '/stray' });

    await expect(stray.settled).rejects.toBeInstanceOf(ConnectionLossError);
    live.reply({ body: { path: '/live' } });
    await expect(inFlight.settled).resolves.toEqual({ path: '/live' });
    expect(live.isOpen).toBe(true);
  });

  it('a request that cannot be encoded fails with its own error, not as connection trouble', async () => {
    const { pending, transport } = owner();
    const live = transport();
    live.write = () => {
      throw new InvalidArgumentError('request of 2000000 bytes exceeds the server limit');
    };
    const big = sync('/big');
    pending.send(live, big.request, SyncRequest, { path: '/big' });
    await expect(big.settled).rejects.toBeInstanceOf(InvalidArgumentError);
  });

  it('when its transport closes, what was in flight there fails as CONNECTIONLOSS with its path', async () => {
    const { pending, transport } = owner();
    const live = transport();
    const a = sync('/a');
    const b = sync('/b');
    pending.send(live, a.request, SyncRequest, { path: '/a' });
    pending.send(live, b.request, SyncRequest, { path: '/b' });
    live.reply({ body: { path: '/a' } });
    live.drop();
    await expect(a.settled).resolves.toEqual({ path: '/a' });
    await expect(b.settled).rejects.toMatchObject({ code: 'CONNECTIONLOSS', path: '/b' });
  });

  it('holds what waits for a connection and sends it, oldest first, on the next', () => {
    const { pending, transport } = owner();
    const first = sync('/1');
    const second = sync('/2');
    pending.submit({ request: first.request, body: SyncRequest, value: { path: '/1' } }, undefined);
    pending.submit(
      { request: second.request, body: SyncRequest, value: { path: '/2' } },
      undefined,
    );
    const live = transport();
    expect(live.written).toEqual([]);
    pending.sendUnsent(live);
    expect(live.written.map((w) => w.value)).toEqual([{ path: '/1' }, { path: '/2' }]);
  });

  it('fails what waits with the error it is given', async () => {
    const { pending } = owner();
    const waiting = sync('/w');
    pending.submit(
      { request: waiting.request, body: SyncRequest, value: { path: '/w' } },
      undefined,
    );
    pending.failUnsent((path) => new RequestTimeoutError(path, 'gave up'));
    await expect(waiting.settled).rejects.toMatchObject({ code: 'REQUESTTIMEOUT', path: '/w' });
  });
});

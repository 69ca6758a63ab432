import diagnosticsChannel from 'node:diagnostics_channel';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type {
  RequestEndMessage,
  RequestStartMessage,
  StateMessage,
  WatchMessage,
} from '../../src/index.js';
import { LockTimeoutError, Mutex } from '../../src/recipes/index.js';
import type { LockMessage } from '../../src/recipes/index.js';
import { rejectionOf } from '../support/poll.js';
import { clientsClosedAfterEach, uniqueRoot } from './helpers.js';

// The diagnostics_channel messages, as a subscriber sees them, for a real client on a real server.
// Other test files run in other workers, so everything published here is this file's.

type Message = RequestStartMessage | RequestEndMessage | StateMessage | WatchMessage | LockMessage;

const subscriptions: [string, (message: unknown) => void][] = [];
const open = clientsClosedAfterEach();
let root: string;

function subscribe(name: string): Message[] {
  const messages: Message[] = [];
  const listener = (message: unknown): void => {
    messages.push(message as Message);
  };
  diagnosticsChannel.subscribe(name, listener);
  subscriptions.push([name, listener]);
  return messages;
}

beforeEach(async () => {
  root = uniqueRoot('diag');
  await (await open()).create(root);
});

afterEach(() => {
  for (const [name, listener] of subscriptions.splice(0)) {
    diagnosticsChannel.unsubscribe(name, listener);
  }
});

describe('zkcoord:request', () => {
  it('publishes start and end with the op name, caller path, duration and error code', async () => {
    const zk = await open(root);
    const requests = subscribe('zkcoord:request');
    await zk.create('/a', 'x');
    await rejectionOf(zk.getData('/missing'));
    expect(requests).toHaveLength(4);
    const [start, end, failedStart, failedEnd] = requests as [
      RequestStartMessage,
      RequestEndMessage,
      RequestStartMessage,
      RequestEndMessage,
    ];
    expect(start).toEqual({
      phase: 'start',
      requestId: start.requestId,
      op: 'create2',
      path: '/a',
      sessionId: zk.sessionId,
    });
    expect(end).toMatchObject({ phase: 'end', requestId: start.requestId, op: 'create2' });
    expect(end.durationMs).toBeGreaterThanOrEqual(0);
    expect(end).not.toHaveProperty('error');
    expect(failedStart).toMatchObject({ phase: 'start', op: 'getData', path: '/missing' });
    expect(failedEnd).toMatchObject({
      phase: 'end',
      requestId: failedStart.requestId,
      error: 'NONODE',
    });
  });

  it('publishes only while someone is subscribed', async () => {
    const zk = await open(root);
    const channel = diagnosticsChannel.channel('zkcoord:request');
    expect(channel.hasSubscribers).toBe(false);
    await zk.create('/quiet');
    const requests = subscribe('zkcoord:request');
    await zk.exists('/quiet');
    expect(requests.map((m) => (m as RequestStartMessage).op)).toEqual(['exists', 'exists']);
  });
});

describe('zkcoord:state and zkcoord:watch', () => {
  it('publishes state changes with the session id, and every notification with its listeners', async () => {
    const states = subscribe('zkcoord:state');
    const watches = subscribe('zkcoord:watch');
    const zk = await open(root);
    const { watch } = await zk.exists('/w', { watch: true });
    await zk.create('/w');
    await watch;
    const sessionId = zk.sessionId;
    await zk.close();
    expect(states).toEqual([
      { state: 'connected', sessionId },
      { state: 'closed', sessionId },
    ]);
    expect(watches).toEqual([
      {
        type: 'nodeCreated',
        serverPath: `${root}/w`,
        zxid: expect.any(BigInt) as unknown,
        listeners: 1,
      },
    ]);
  });
});

describe('zkcoord:lock', () => {
  it('publishes acquired with the wait, released with the hold, and failed acquires', async () => {
    const zk = await open(root);
    const other = await open(root);
    const locks = subscribe('zkcoord:lock');
    const mutex = new Mutex(zk, '/lock');
    const lease = await mutex.acquire();
    const timedOut = await rejectionOf(new Mutex(other, '/lock').acquire({ timeout: 50 }));
    expect(timedOut).toBeInstanceOf(LockTimeoutError);
    await lease.release();
    expect(locks).toEqual([
      {
        event: 'acquired',
        lock: '/lock',
        node: lease.path,
        sessionId: zk.sessionId,
        fencingToken: lease.fencingToken,
        waitMs: expect.any(Number) as unknown,
      },
      {
        event: 'failed',
        lock: '/lock',
        waitMs: expect.any(Number) as unknown,
        error: 'LOCK_TIMEOUT',
      },
      { event: 'released', node: lease.path, holdMs: expect.any(Number) as unknown },
    ]);
  });
});

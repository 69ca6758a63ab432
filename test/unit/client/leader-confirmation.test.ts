import diagnosticsChannel from 'node:diagnostics_channel';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { InvalidArgumentError, ZooKeeper } from '../../../src/index.js';
import type { TrustMessage, ZooKeeperOptions } from '../../../src/index.js';
import { CLOCK_RATE_ERROR, DEADLINE_MARGIN_MS } from '../../../src/client/session/leader-trust.js';
import { OpCode, ReplyHeader } from '../../../src/protocol/index.js';
import { frame, scriptedServer } from './scripted-server.js';

// The sync chain against a scripted server, which answers or holds the syncs as a test says. What
// a cut-off follower does to it is in test/faults/leader-trust.test.ts, on a real ensemble.

const T = 1000;
const TICK = 200;
const TRUSTED = T * (1 - 2 * CLOCK_RATE_ERROR) - DEADLINE_MARGIN_MS;
/** The longest sync interval for T and TICK: (T' − 1.25 tick) / 3. */
const LONGEST_INTERVAL = (TRUSTED - TICK - TICK / 4) / 3;

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  vi.restoreAllMocks();
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

interface Server {
  readonly port: number;
  readonly clientGone: Promise<void>;
  syncsSeen: number;
  /** Leave syncs unanswered (a server that no longer reaches the leader). */
  holdSyncs: boolean;
}

async function server(timeOut: number | (() => number) = T): Promise<Server> {
  const state = { syncsSeen: 0, holdSyncs: false };
  const scripted = await scriptedServer(
    ({ xid, type }) => {
      if (type === OpCode.sync) {
        state.syncsSeen++;
        if (state.holdSyncs) return undefined;
      }
      return frame((w) => {
        ReplyHeader.write(w, { xid, zxid: 0n, err: 0 });
        if (type === OpCode.sync) w.ustring('/');
      });
    },
    { timeOut },
  );
  cleanups.push(() => {
    scripted.close();
  });
  return Object.assign(state, { port: scripted.port, clientGone: scripted.clientGone });
}

async function connect(at: Server, options: ZooKeeperOptions = {}): Promise<ZooKeeper> {
  const zk = await ZooKeeper.connect(`127.0.0.1:${at.port}`, {
    leaderConfirmation: { tickTime: TICK },
    ...options,
  });
  cleanups.push(() => zk.close());
  return zk;
}

/** Every message on `zkcoord:trust` from now on. */
function trustMessages(): TrustMessage[] {
  const messages: TrustMessage[] = [];
  const onMessage = (message: unknown): void => {
    messages.push(message as TrustMessage);
  };
  diagnosticsChannel.subscribe('zkcoord:trust', onMessage);
  cleanups.push(() => {
    diagnosticsChannel.unsubscribe('zkcoord:trust', onMessage);
  });
  return messages;
}

describe('leader confirmation', () => {
  it('extends the deadline from answered syncs, never past a request answered a tickTime before', async () => {
    const messages = trustMessages();
    const at = await server();
    const connectedAt = performance.now();
    const zk = await connect(at);
    const fromHandshake = zk.sessionDeadline!;
    expect(fromHandshake).toBeGreaterThan(connectedAt);
    expect(fromHandshake).toBeLessThanOrEqual(connectedAt + TRUSTED + 50);

    await sleep(3 * T);
    const confirmed = messages.filter((m) => m.event === 'confirmed');
    expect(confirmed.length).toBeGreaterThan(3);
    for (const m of confirmed) {
      expect(m.deadline).toBeLessThanOrEqual(
        Math.max(fromHandshake, m.syncSentAt - TICK + TRUSTED),
      );
    }
    // Kept ahead of the clock the whole time, and the session with it.
    expect(zk.sessionDeadline!).toBeGreaterThan(performance.now());
    expect(zk.sessionDeadline!).toBeGreaterThan(fromHandshake + 2 * T - TRUSTED);
    expect(zk.state).toBe('connected');
    expect(messages.filter((m) => m.event !== 'confirmed')).toEqual([]);
  });

  it('leaves a server that stops passing syncs on before the deadline passes, and reconnects at once', async () => {
    const messages = trustMessages();
    const at = await server();
    const zk = await connect(at);
    await vi.waitFor(() => {
      expect(messages.some((m) => m.event === 'confirmed')).toBe(true);
    });
    const states: string[] = [];
    zk.on('state', (state) => states.push(state));
    at.holdSyncs = true;
    const heldFrom = performance.now();

    await at.clientGone;
    const leftAt = performance.now();
    expect(messages.map((m) => m.event)).toContain('left');
    expect(leftAt - heldFrom).toBeGreaterThanOrEqual(LONGEST_INTERVAL);
    expect(messages.some((m) => m.event === 'lapsed')).toBe(false);
    expect(states[0]).toBe('suspended');
    // Back on a new connection (the same server: the only one), whose handshake renews trust.
    await vi.waitFor(
      () => {
        expect(zk.state).toBe('reconnected');
      },
      { timeout: 5000 },
    );
    expect(zk.sessionDeadline!).toBeGreaterThan(leftAt);
  });

  it('leaves a server that never passed a sync on only as the deadline passes, telling observers first', async () => {
    const messages = trustMessages();
    const at = await server();
    at.holdSyncs = true;
    const zk = await connect(at);
    const fromHandshake = zk.sessionDeadline!;
    const told: number[] = [];
    zk.observeState((state, change) => {
      if (change.previous === state) told.push(performance.now());
    });

    await at.clientGone;
    expect(performance.now()).toBeGreaterThanOrEqual(fromHandshake);
    expect(messages.map((m) => m.event)).toEqual(['lapsed', 'left']);
    expect(told.length).toBeGreaterThan(0);
  });

  it('after a host suspend (the wall clock gains on the monotonic one) ends trust at once and reconnects', async () => {
    const messages = trustMessages();
    const at = await server();
    const zk = await connect(at);
    let told = 0;
    zk.observeState((state, change) => {
      if (change.previous === state) told++;
    });
    await sleep(100);
    expect(zk.sessionDeadline!).toBeGreaterThan(performance.now() + T / 2);

    const wall = Date.now.bind(Date);
    vi.spyOn(Date, 'now').mockImplementation(() => wall() + 5000);
    // Exact when read: no timer had to run first.
    expect(zk.sessionDeadline!).toBeLessThanOrEqual(performance.now());
    await vi.waitFor(
      () => {
        expect(messages).toContainEqual({
          event: 'lapsed',
          sessionId: zk.sessionId,
          reason: 'clockJump',
        });
      },
      { timeout: 2000 },
    );
    expect(told).toBeGreaterThan(0);
    await vi.waitFor(
      () => {
        expect(zk.state).toBe('reconnected');
        expect(zk.sessionDeadline!).toBeGreaterThan(performance.now());
      },
      { timeout: 5000 },
    );
  });

  it('counts with the shortest session timeout any member granted, not a longer later one', async () => {
    const messages = trustMessages();
    const granted = [T, 2 * T];
    const at = await server(() => granted.shift() ?? 2 * T);
    const zk = await connect(at);
    await vi.waitFor(() => {
      expect(messages.some((m) => m.event === 'confirmed')).toBe(true);
    });
    at.holdSyncs = true;
    await at.clientGone;
    at.holdSyncs = false;
    await vi.waitFor(
      () => {
        expect(zk.state).toBe('reconnected');
      },
      { timeout: 5000 },
    );
    const reconnectedAt = performance.now();
    expect(zk.sessionTimeout).toBe(2 * T);
    // A handshake's trust counted with the first member's T, the shorter.
    expect(zk.sessionDeadline!).toBeLessThanOrEqual(reconnectedAt + TRUSTED);
  });

  it('counts a host suspend while the handshake was on its way: trust ends as it is adopted', async () => {
    const messages = trustMessages();
    const at = await server();
    // The handshake leaves synchronously within connect(); the host "sleeps" before its answer.
    const connecting = connect(at);
    const wall = Date.now.bind(Date);
    vi.spyOn(Date, 'now').mockImplementation(() => wall() + 5000);
    const zk = await connecting;
    expect(zk.sessionDeadline!).toBeLessThanOrEqual(performance.now());
    await vi.waitFor(
      () => {
        expect(messages.map((m) => m.event).slice(0, 2)).toEqual(['lapsed', 'left']);
        expect(zk.state).toBe('reconnected');
        expect(zk.sessionDeadline!).toBeGreaterThan(performance.now());
      },
      { timeout: 5000 },
    );
  });

  it('with leaderConfirmation: false sends no syncs and trusts what the server answers', async () => {
    const at = await server();
    const before = performance.now();
    const zk = await connect(at, { leaderConfirmation: false });
    await sleep(LONGEST_INTERVAL * 3);
    expect(at.syncsSeen).toBe(0);
    // A session timeout after the send of the last request answered (a ping, perhaps).
    expect(zk.sessionDeadline!).toBeGreaterThan(before + T - 1);
  });

  it('refuses a setting that is not false or an object, and times that are not positive', async () => {
    const at = await server();
    for (const leaderConfirmation of [
      true,
      'on',
      null,
      { tickTime: 0 },
      { syncInterval: -5 },
      // No room for a sync chain within the (requested) session timeout.
      { tickTime: T },
    ]) {
      await expect(
        ZooKeeper.connect(`127.0.0.1:${at.port}`, {
          sessionTimeout: T,
          leaderConfirmation: leaderConfirmation as ZooKeeperOptions['leaderConfirmation'] & object,
        }),
      ).rejects.toBeInstanceOf(InvalidArgumentError);
    }
  });
});

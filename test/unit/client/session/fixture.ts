import { vi } from 'vitest';
import { sessionOptions } from '../../../../src/client/options.js';
import { Session } from '../../../../src/client/session/session.js';
import type { LossCause, SessionState } from '../../../../src/client/session/session-types.js';
import type { ReadOnlyProbe } from '../../../../src/client/transport/rw-server-probe.js';
import type { ZooKeeperOptions } from '../../../../src/client/types.js';
import { FakeDialer } from './fake-transport.js';
import type { FakeTransport } from './fake-transport.js';

/**
 * The clocks the session reads, faked: timers, `performance.now()` and `Date`. setImmediate and
 * nextTick stay real, so `settle()` can let every promise continuation run without moving time.
 */
export function useFakeClock(): void {
  vi.useFakeTimers({
    toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date', 'performance'],
  });
}

/** Runs every pending promise continuation (and what they start), with the clock standing still. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
}

/** Moves the fake clock on by `ms`, letting continuations run at each timer. */
export async function advance(ms: number): Promise<void> {
  await vi.advanceTimersByTimeAsync(ms);
  await settle();
}

export interface StateSeen {
  readonly state: SessionState;
  readonly cause?: LossCause;
  readonly at: number;
}

export interface FakeSession {
  readonly session: Session;
  readonly dialer: FakeDialer;
  /** Every state the session reported, in order. */
  readonly states: StateSeen[];
  readonly names: () => SessionState[];
}

/** A session over fake transports to `hosts` servers (ports 1…n on 127.0.0.1). */
export function fakeSession(
  options: ZooKeeperOptions = {},
  hosts = 1,
  askReadOnly: ReadOnlyProbe = () => Promise.resolve(undefined),
): FakeSession {
  const dialer = new FakeDialer();
  const list = Array.from({ length: hosts }, (_, i) => ({ host: '127.0.0.1', port: i + 1 }));
  const session = new Session(
    sessionOptions(list, { leaderConfirmation: false, sessionTimeout: 3000, ...options }),
    dialer.dial,
    askReadOnly,
  );
  const states: StateSeen[] = [];
  session.onStateChange = (state, detail) => {
    states.push({
      state,
      at: performance.now(),
      ...(detail.cause === undefined ? {} : { cause: detail.cause }),
    });
  };
  return { session, dialer, states, names: () => states.map((s) => s.state) };
}

/** Starts the session and accepts its first connect attempt: the session is `connected`. */
export async function connected(fake: FakeSession): Promise<FakeTransport> {
  const started = fake.session.start();
  await settle();
  const transport = fake.dialer.pending.accept();
  await started;
  return transport;
}

/** Moves the clock on by `ms` in steps, refusing every connect attempt made meanwhile. */
export async function advanceRefusing(fake: FakeSession, ms: number, step = 25): Promise<void> {
  for (let passed = 0; passed < ms; passed += step) {
    await advance(Math.min(step, ms - passed));
    while (fake.dialer.waitingCount > 0) fake.dialer.pending.refuse();
    await settle();
  }
}

/** Moves the clock on until a connect attempt waits (at most `limitMs`), and returns it. */
export async function nextAttempt(fake: FakeSession, limitMs = 5000, step = 10) {
  for (let passed = 0; fake.dialer.waitingCount === 0; passed += step) {
    if (passed > limitMs) throw new Error(`no connect attempt within ${limitMs} ms`);
    await advance(step);
  }
  return fake.dialer.pending;
}

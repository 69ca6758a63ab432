import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { HostAddress } from '../../../src/client/connect-string.js';
import { HostCycle } from '../../../src/client/transport/host-cycle.js';
import {
  PROBE_MAX_INTERVAL_MS,
  PROBE_MIN_INTERVAL_MS,
  ProbeBackoff,
  RwServerProbe,
} from '../../../src/client/transport/rw-server-probe.js';

const A: HostAddress = { host: '10.0.0.1', port: 2181 };
const B: HostAddress = { host: '10.0.0.2', port: 2181 };
const C: HostAddress = { host: '10.0.0.3', port: 2181 };

describe('ProbeBackoff (the Java client schedule)', () => {
  it('starts at 100 ms and doubles up to 60 s, where it stays', () => {
    const backoff = new ProbeBackoff();
    const pauses = Array.from({ length: 13 }, () => backoff.next());
    expect(pauses).toEqual([
      100, 200, 400, 800, 1600, 3200, 6400, 12_800, 25_600, 51_200, 60_000, 60_000, 60_000,
    ]);
    expect(PROBE_MIN_INTERVAL_MS).toBe(100);
    expect(PROBE_MAX_INTERVAL_MS).toBe(60_000);
  });

  it('starts over at 100 ms after a reset', () => {
    const backoff = new ProbeBackoff();
    backoff.next();
    backoff.next();
    backoff.next();
    backoff.reset();
    expect([backoff.next(), backoff.next()]).toEqual([100, 200]);
  });
});

describe('RwServerProbe', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  /** A probe whose `isro` answers come from `answers` (per host), recording whom it asked. */
  function probeWith(
    hosts: readonly HostAddress[],
    answers: (host: HostAddress, call: number) => 'rw' | 'ro' | undefined,
    signal = new AbortController().signal,
  ): { probe: RwServerProbe; asked: HostAddress[] } {
    const asked: HostAddress[] = [];
    const probe = new RwServerProbe(hosts, signal, (host) => {
      asked.push(host);
      return Promise.resolve(answers(host, asked.length));
    });
    return { probe, asked };
  }

  it('asks the other hosts in turn on the doubling schedule and reports the first rw', async () => {
    const { probe, asked } = probeWith([A, B, C], (host, call) =>
      host === C && call >= 4 ? 'rw' : 'ro',
    );
    const connection = { server: A, isOpen: true };
    const found: HostAddress[] = [];
    const done = probe.watch(connection, (host) => found.push(host));

    await vi.advanceTimersByTimeAsync(99);
    expect(asked).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(asked).toEqual([B]);
    await vi.advanceTimersByTimeAsync(200);
    expect(asked).toEqual([B, C]);
    await vi.advanceTimersByTimeAsync(400);
    expect(asked).toEqual([B, C, B]);
    expect(found).toEqual([]);
    await vi.advanceTimersByTimeAsync(800);
    expect(asked).toEqual([B, C, B, C]);
    expect(found).toEqual([C]);
    await done;
  });

  it('starts over at 100 ms after finding a read/write server, not before', async () => {
    let answer: 'rw' | 'ro' = 'ro';
    const { probe, asked } = probeWith([A, B], () => answer);
    const first = { server: A, isOpen: true };
    void probe.watch(first, () => undefined);
    await vi.advanceTimersByTimeAsync(100 + 200);
    expect(asked).toHaveLength(2);
    // The connection closes during the 400 ms pause; the next one continues the schedule at 800.
    first.isOpen = false;
    await vi.advanceTimersByTimeAsync(400);
    const second = { server: A, isOpen: true };
    const found: HostAddress[] = [];
    void probe.watch(second, (host) => found.push(host));
    await vi.advanceTimersByTimeAsync(799);
    expect(asked).toHaveLength(2);
    answer = 'rw';
    await vi.advanceTimersByTimeAsync(1);
    expect(found).toEqual([B]);
    const third = { server: A, isOpen: true };
    void probe.watch(third, (host) => found.push(host));
    await vi.advanceTimersByTimeAsync(100);
    expect(found).toEqual([B, B]);
  });

  it('stops once its connection closes, without asking again', async () => {
    const { probe, asked } = probeWith([A, B], () => 'ro');
    const connection = { server: A, isOpen: true };
    const done = probe.watch(connection, () => undefined);
    await vi.advanceTimersByTimeAsync(100);
    expect(asked).toHaveLength(1);
    connection.isOpen = false;
    await vi.advanceTimersByTimeAsync(PROBE_MAX_INTERVAL_MS * 3);
    await done;
    expect(asked).toHaveLength(1);
  });

  it('stops at once when the client closes (the signal aborts)', async () => {
    const lifetime = new AbortController();
    const { probe, asked } = probeWith([A, B], () => 'rw', lifetime.signal);
    const found: HostAddress[] = [];
    const done = probe.watch({ server: A, isOpen: true }, (host) => found.push(host));
    lifetime.abort();
    await done;
    await vi.advanceTimersByTimeAsync(1000);
    expect(asked).toEqual([]);
    expect(found).toEqual([]);
  });

  it('has nothing to do with a single host', async () => {
    const { probe, asked } = probeWith([A], () => 'rw');
    await probe.watch({ server: A, isOpen: true }, () => undefined);
    await vi.advanceTimersByTimeAsync(1000);
    expect(asked).toEqual([]);
  });
});

describe('HostCycle.preferNext', () => {
  it('hands out the preferred host once, then carries on with the rotation', () => {
    const cycle = new HostCycle([A, B, C]);
    const rotation = [0, 1, 2].map(() => cycle.next(true, 0).host);
    expect(new Set(rotation)).toEqual(new Set([A, B, C]));
    const [first, second] = rotation as [HostAddress, HostAddress, HostAddress];
    cycle.preferNext(C);
    expect(cycle.next(false, 0).host).toBe(C);
    expect(cycle.next(false, 1).host).toBe(first);
    expect(cycle.next(false, 2).host).toBe(second);
  });
});

import diagnosticsChannel from 'node:diagnostics_channel';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ZooKeeper } from '../../src/index.js';
import type { TrustMessage, ZooKeeperOptions } from '../../src/index.js';
import { LeaseLostError, Mutex } from '../../src/recipes/index.js';
import type { LeaseLossCause, LostOn } from '../../src/recipes/index.js';
import { ZooKeeperEnsemble } from '../../src/testing/index.js';
import type { EnsembleMember } from '../../src/testing/index.js';
import { uniqueRoot } from '../integration/helpers.js';
import { untilMode } from '../support/ensemble.js';
import { until } from '../support/poll.js';
import { figure } from './lock-helpers.js';
import { QuorumTouches } from './quorum-touches.js';

// A follower cut off from the quorum, its client port still up: the leader expires the sessions
// of its clients after T, while the follower answers their pings for S = syncLimit × tickTime.
// Holders connected only to it must see their signal abort before the leader expires their
// sessions — measured on one clock, this process's: the abort; the deletion of the lock node as a
// watcher on the leader sees it; and, without the tick the leader rounds expiry up to (which
// would hide an unsafe rule most of the time), T after the last touch of the session the follower
// passed on to the leader, read off the quorum link (QuorumTouches). docs/sessions.md ("Trust
// confirmed by the leader") has the derivation.

const TICK_MS = 500;
const SYNC_LIMIT = 10; // S = 5 s
const SESSION_TIMEOUT_MS = 3000; // T < S
/** Denser than the leader's pings to its followers (every tickTime/2), and the default, sparser. */
const DENSE_SYNC_MS = 150;
/** Denser still: a basis one sync back is then one its touch may not have reached the leader. */
const DENSEST_SYNC_MS = 50;
/**
 * Cut this long after holder 0's sync was answered: the leader's pings, and the tick its expiry
 * is rounded up to, fall at a different phase each time (the tick rounding hides an unsafe rule
 * at most phases).
 */
const CUT_DELAYS_MS = [0, 85, 170, 255, 340, 425];
/**
 * Then the tight case, twice: the cut comes as the leader's ping passes on its way to the
 * follower, within this long after one holder's sync was answered — the follower's answer to it,
 * with the touches of the syncs just answered, never reaches the leader, whose last touches of
 * our sessions are a ping period old.
 */
const BEFORE_PING_ANSWER_WITHIN_MS = 30;

/** How a run cuts the follower off: resolves when it has. */
type Cut = (trigger: ZooKeeper, touches: QuorumTouches, follower: EnsembleMember) => Promise<void>;

const RUNS: readonly { readonly name: string; readonly cut: Cut; readonly densest: boolean }[] = [
  ...CUT_DELAYS_MS.map((delayMs) => ({
    name: `${delayMs} ms after an answered sync`,
    cut: (async (trigger, _touches, follower) => {
      await afterAnsweredSync(trigger, delayMs);
      ensemble.isolate(follower.id);
    }) satisfies Cut,
    densest: false,
  })),
  ...[1, 2].map(() => ({
    name: `right after an answered sync, before the follower answers the leader's next ping`,
    cut: beforePingAnswer,
    densest: true,
  })),
];

interface Holder {
  readonly label: string;
  readonly zk: ZooKeeper;
  readonly sessionId: bigint;
  readonly path: string;
  abortedAt?: number;
  cause?: LeaseLossCause;
  deletedAt?: number;
  /** T after the follower last passed a touch of the session on to the leader: expiry, unrounded. */
  expiresBy?: number;
}

let ensemble: ZooKeeperEnsemble;
let observer: ZooKeeper;
const root = uniqueRoot('leader-trust');

beforeAll(async () => {
  ensemble = await ZooKeeperEnsemble.start({
    size: 3,
    tickTime: TICK_MS,
    syncLimit: SYNC_LIMIT,
    initLimit: 10,
    quorumLinks: 'proxied',
  });
  const leader = await ensemble.leader();
  // The leader is the one that expires sessions: watch the lock nodes there.
  observer = await ZooKeeper.connect(leader.connectString, { sessionTimeout: 30_000 });
  await observer.create(root);
});

afterAll(async () => {
  await observer.close();
  await ensemble.stop();
});

/** A client on `follower` alone, holding its own lock; stamps when its signal aborts, and why. */
async function hold(
  follower: EnsembleMember,
  path: string,
  label: string,
  lostOn: LostOn,
  leaderConfirmation: NonNullable<ZooKeeperOptions['leaderConfirmation']>,
): Promise<Holder> {
  const zk = await ZooKeeper.connect(follower.connectString, {
    sessionTimeout: SESSION_TIMEOUT_MS,
    leaderConfirmation,
  });
  expect(zk.sessionTimeout).toBe(SESSION_TIMEOUT_MS);
  const lease = await new Mutex(zk, path, { lostOn }).acquire({ timeout: 10_000 });
  const holder: Holder = { label, zk, sessionId: zk.sessionId, path: lease.path };
  lease.signal.addEventListener('abort', () => {
    holder.abortedAt = performance.now();
    const reason: unknown = lease.signal.reason;
    if (reason instanceof LeaseLostError) holder.cause = reason.lossCause;
  });
  // The follower answers once it applied the create; the leader may apply it a moment later.
  await observer.sync(lease.path);
  const watched = await observer.exists(lease.path, { watch: true });
  expect(watched.stat).not.toBeNull();
  void watched.watch.then((event) => {
    if (event.type === 'nodeDeleted') holder.deletedAt = performance.now();
  });
  return holder;
}

/** Resolves, once, `delayMs` after the next sync of `trigger`'s session that the leader answers. */
function afterAnsweredSync(trigger: ZooKeeper, delayMs: number): Promise<void> {
  return new Promise((resolve) => {
    const onMessage = (message: unknown): void => {
      const trust = message as TrustMessage;
      if (trust.event !== 'confirmed' || trust.sessionId !== trigger.sessionId) return;
      diagnosticsChannel.unsubscribe('zkcoord:trust', onMessage);
      setTimeout(resolve, delayMs);
    };
    diagnosticsChannel.subscribe('zkcoord:trust', onMessage);
  });
}

/** Cuts `follower` off as a leader ping passes within a moment after `trigger`'s answered sync. */
function beforePingAnswer(
  trigger: ZooKeeper,
  touches: QuorumTouches,
  follower: EnsembleMember,
): Promise<void> {
  return new Promise((resolve) => {
    let answeredAt = Number.NEGATIVE_INFINITY;
    const onMessage = (message: unknown): void => {
      const trust = message as TrustMessage;
      if (trust.event === 'confirmed' && trust.sessionId === trigger.sessionId) {
        answeredAt = trust.answeredAt;
      }
    };
    diagnosticsChannel.subscribe('zkcoord:trust', onMessage);
    const stop = touches.onLeaderPing(() => {
      if (performance.now() - answeredAt > BEFORE_PING_ANSWER_WITHIN_MS) return;
      // Synchronously: the ping still reaches the follower, its answer is held.
      ensemble.isolate(follower.id);
      stop();
      diagnosticsChannel.unsubscribe('zkcoord:trust', onMessage);
      resolve();
    });
  });
}

/**
 * Cuts `follower` off as `cut` says (triggered by the first holder's syncs), waits until the
 * leader deleted every holder's node and every signal aborted, then heals it and waits until it
 * follows again. Returns the holders with their times, relative to the cut.
 */
async function cutAndMeasure(
  follower: EnsembleMember,
  touches: QuorumTouches,
  holders: Holder[],
  cut: Cut,
): Promise<{ cutAt: number }> {
  await cut(holders[0]!.zk, touches, follower);
  const cutAt = performance.now();
  touches.stop();
  for (const h of holders) {
    const touched = touches.lastDelivered(h.sessionId);
    // Each holder sends a sync (or, without them, a ping) at least every second and the follower
    // answers the leader's pings every 250 ms: a last touch much older than that means the
    // packets were misread, not that the rule is unsafe.
    expect(cutAt - (touched ?? -Infinity), `${h.label}: last touch read`).toBeLessThan(2000);
    h.expiresBy = touched! + SESSION_TIMEOUT_MS;
  }
  await until(
    'every lock node deleted by the leader and every signal aborted',
    () => holders.every((h) => h.deletedAt !== undefined && h.abortedAt !== undefined),
    { timeoutMs: 30_000 },
  );
  // The follower gives up on the leader after S; healed then, it rejoins from a clean state.
  await untilMode(follower, 'not serving', { timeoutMs: 30_000, intervalMs: 25 });
  ensemble.heal(follower.id);
  await untilMode(follower, 'follower', { timeoutMs: 30_000, intervalMs: 25 });
  await Promise.all(holders.map((h) => h.zk.close()));
  return { cutAt };
}

function margin(holder: Holder): number {
  return holder.deletedAt! - holder.abortedAt!;
}

/** The margin to the leader's expiry without its rounding up to a tick. */
function unroundedMargin(holder: Holder): number {
  return holder.expiresBy! - holder.abortedAt!;
}

function report(holders: Holder[], cutAt: number, cut: string): void {
  for (const h of holders) {
    figure(
      `cut ${cut}; ${h.label}: aborted (${h.cause}) at +${Math.round(h.abortedAt! - cutAt)} ms, ` +
        `node deleted at +${Math.round(h.deletedAt! - cutAt)} ms: margin ${Math.round(margin(h))} ms, ` +
        `${Math.round(unroundedMargin(h))} ms to the unrounded expiry`,
    );
  }
}

/** A follower, and what it passes on to the leader read from the start of the next run. */
async function followerOf(): Promise<{ follower: EnsembleMember; touches: QuorumTouches }> {
  const leader = await ensemble.leader();
  const follower = ensemble.members.find((m) => m !== leader)!;
  const touches = new QuorumTouches(ensemble.quorumLink(follower.id, leader.id).quorum);
  return { follower, touches };
}

describe('a holder on a follower cut off from the quorum (T = 3 s, tickTime 500, S = 5 s)', () => {
  const margins: number[] = [];
  const unroundedMargins: number[] = [];

  it.each(RUNS.map((spec, run) => ({ ...spec, run })))(
    'loses its signal before the leader expires the session: cut $name',
    async ({ name, cut, densest, run }) => {
      const { follower, touches } = await followerOf();
      const base = `${root}/run-${run}`;
      const tickTime = { tickTime: TICK_MS };
      const dense = { tickTime: TICK_MS, syncInterval: DENSE_SYNC_MS };
      const densestSyncs = { tickTime: TICK_MS, syncInterval: DENSEST_SYNC_MS };
      // The first holder triggers the cut: on even runs a dense one, on odd runs a sparse one;
      // in the tight case one with the densest syncs, beside dense ones.
      const [first, second] = densest
        ? [densestSyncs, dense]
        : run % 2 === 0
          ? [dense, tickTime]
          : [tickTime, dense];
      const holders: Holder[] = [];
      for (const [i, [confirmation, lostOn]] of (
        [
          [first, 'lost'],
          [second, 'lost'],
          [first, 'lost'],
          [second, 'lost'],
          [first, 'suspended'],
          [second, 'suspended'],
          // With the default tickTime assumed (T/2), as a user who did not set it.
          [{}, 'lost'],
        ] as const
      ).entries()) {
        const cadence =
          'syncInterval' in confirmation
            ? `syncs every ${confirmation.syncInterval} ms`
            : 'tickTime' in confirmation
              ? 'default syncs'
              : 'default syncs and tickTime';
        holders.push(
          await hold(follower, `${base}/lock-${i}`, `${cadence} ${lostOn}`, lostOn, confirmation),
        );
        // Spread the sync chains' phases.
        await sleep(37);
      }
      // Until the follower has passed a touch of every holder on in a ping answer (every 250 ms):
      // QuorumTouches reads those; a session's creation, which also starts its clock, it does not.
      await sleep(TICK_MS);
      const { cutAt } = await cutAndMeasure(follower, touches, holders, cut);
      report(holders, cutAt, name);
      for (const h of holders) {
        expect(h.cause).toBe(h.label.endsWith('suspended') ? 'suspended' : 'unconfirmed');
        margins.push(margin(h));
        unroundedMargins.push(unroundedMargin(h));
        expect(margin(h), h.label).toBeGreaterThan(0);
        expect(unroundedMargin(h), h.label).toBeGreaterThan(0);
      }
    },
  );

  it('reports the smallest margin over every run', () => {
    expect(margins.length).toBe(RUNS.length * 7);
    figure(`minimum margin over ${margins.length} holds: ${Math.round(Math.min(...margins))} ms`);
    figure(
      `minimum margin to the unrounded expiry: ${Math.round(Math.min(...unroundedMargins))} ms`,
    );
  });

  it('with leaderConfirmation: false, as every client that counts from answered pings, the signal aborts only after the leader expired the session', async () => {
    const { follower, touches } = await followerOf();
    const base = `${root}/ping-based`;
    const holders = [
      await hold(follower, `${base}/lock-0`, 'ping-based lost', 'lost', false),
      await hold(follower, `${base}/lock-1`, 'ping-based suspended', 'suspended', false),
    ];
    // Any trust message will do as the moment to cut: these clients send no syncs.
    const other = await hold(follower, `${base}/lock-2`, 'confirmed lost', 'lost', {
      tickTime: TICK_MS,
    });
    await sleep(TICK_MS);
    const cut = RUNS[0]!;
    const { cutAt } = await cutAndMeasure(follower, touches, [other, ...holders], cut.cut);
    report([other, ...holders], cutAt, cut.name);
    expect(margin(other)).toBeGreaterThan(0);
    expect(unroundedMargin(other)).toBeGreaterThan(0);
    for (const h of holders) expect(margin(h), h.label).toBeLessThan(0);
  });
});

import { SessionExpiredError } from '../../client/index.js';
import type { Leadership } from './leadership.js';

export interface RunOptions {
  /** After the function returns, or the lead is lost, campaign again and run it again. */
  readonly requeue?: boolean;
  /** Stops campaigning (resolving run()); a running function should watch it too. */
  readonly signal?: AbortSignal;
}

/** What run() needs of its election. */
export interface Campaigner {
  campaign(options: { readonly signal?: AbortSignal }): Promise<Leadership>;
  /** The lead again on our node after a suspension, if this session still has it. */
  resumeAfterSuspension(options: {
    readonly signal?: AbortSignal;
  }): Promise<Leadership | undefined>;
  /** Resolves once a session is connected again; rejects when the client closes. */
  nextSession(signal: AbortSignal | undefined): Promise<void>;
}

/**
 * Runs `fn` each time we lead, as Curator's LeaderSelector runs takeLeadership. When `fn`
 * returns, we resign. When the lead is lost to a suspension and the session comes back with our
 * node still first, `fn` runs again on it; after another loss (or a return) we campaign again
 * only with `requeue`, also after the session's loss (in the next session). Rejects with what
 * `fn` throws while we still lead (after resigning); resolves when it is done, or when `signal`
 * aborts.
 */
export async function runWhileLeading(
  election: Campaigner,
  fn: (leadership: Leadership) => Promise<void> | void,
  options: RunOptions,
): Promise<void> {
  const { signal } = options;
  const waits = signal === undefined ? {} : { signal };
  let next: Leadership | undefined;
  try {
    for (;;) {
      let leadership: Leadership;
      try {
        leadership = next ?? (await election.campaign(waits));
      } catch (error) {
        // The session ended while we waited: with requeue, campaign again in the next one.
        if (options.requeue !== true || !(error instanceof SessionExpiredError)) throw error;
        await election.nextSession(signal);
        continue;
      }
      next = undefined;
      try {
        await fn(leadership);
      } catch (error) {
        // An error after the lead was lost is the loss's, not fn's.
        if (leadership.held) throw error;
      } finally {
        if (leadership.held) await leadership.resign();
      }
      if (!leadership.signal.aborted && options.requeue !== true) return;
      try {
        next = await election.resumeAfterSuspension(waits);
      } catch (error) {
        if (options.requeue !== true || !(error instanceof SessionExpiredError)) throw error;
      }
      if (next === undefined && options.requeue !== true) return;
    }
  } catch (error) {
    if (signal?.aborted === true && error === signal.reason) return;
    throw error;
  }
}

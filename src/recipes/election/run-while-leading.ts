import { LeadershipLostError } from '../coordination/errors.js';
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
}

/**
 * Runs `fn` each time we lead, as Curator's LeaderSelector runs takeLeadership. When `fn`
 * returns, we resign. When the lead is lost to a suspension and the session comes back with our
 * node still first, `fn` runs again at once on it; after another loss (or a return) we campaign
 * again only with `requeue`. Rejects with what `fn` throws while we still lead (after resigning);
 * resolves when it is done, or when `signal` aborts.
 */
export async function runWhileLeading(
  election: Campaigner,
  fn: (leadership: Leadership) => Promise<void> | void,
  options: RunOptions,
): Promise<void> {
  const { signal } = options;
  let next: Leadership | undefined;
  try {
    for (;;) {
      const leadership = next ?? (await election.campaign(signal === undefined ? {} : { signal }));
      next = undefined;
      try {
        await fn(leadership);
      } catch (error) {
        if (!leadership.signal.aborted) throw error;
      } finally {
        if (!leadership.signal.aborted) await leadership.resign();
      }
      const reason: unknown = leadership.signal.reason;
      const untrusted =
        reason instanceof LeadershipLostError &&
        (reason.lossCause === 'suspended' || reason.lossCause === 'unconfirmed');
      if (untrusted) {
        next = await election.resumeAfterSuspension(signal === undefined ? {} : { signal });
        if (next !== undefined) continue;
      }
      if (options.requeue !== true || signal?.aborted === true) return;
    }
  } catch (error) {
    if (signal?.aborted === true && error === signal.reason) return;
    throw error;
  }
}

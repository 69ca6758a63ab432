import { setTimeout as sleep } from 'node:timers/promises';

// Waits shared by every test project. Each is bounded and fails naming what it waited for and for
// how long, so a state that never comes fails the test clearly instead of hanging until vitest's
// own timeout, which names neither.

/** What a wait is for; a function is read only on failure, to report what was seen by then. */
export type WaitingFor = string | (() => string);

export interface PollOptions {
  /** Default 20 s. */
  readonly timeoutMs?: number;
  /**
   * Default 10 ms for a check that answers at once, 25 ms for one that returns a promise: those
   * ask a server, and polling must not add much load to the server whose state it watches.
   */
  readonly intervalMs?: number;
}

function text(what: WaitingFor): string {
  return typeof what === 'string' ? what : what();
}

/** Polls `check` until it holds; fails after `timeoutMs`. An error thrown by `check` fails at once. */
export async function until(
  what: WaitingFor,
  check: () => boolean | Promise<boolean>,
  options: PollOptions = {},
): Promise<void> {
  const { timeoutMs = 20_000 } = options;
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const result = check();
    const holds = typeof result === 'boolean' ? result : await result;
    if (holds) return;
    if (performance.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${text(what)}`);
    }
    await sleep(options.intervalMs ?? (typeof result === 'boolean' ? 10 : 25));
  }
}

/** `promise`, or a failure after `timeoutMs`: for watch promises that must not hang the test. */
export async function within<T>(
  what: WaitingFor,
  promise: Promise<T>,
  timeoutMs = 20_000,
): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(new Error(`timed out after ${timeoutMs} ms waiting for ${text(what)}`));
    }, timeoutMs);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** The error `promise` rejects with; fails the test if it resolves instead. */
export async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the promise to reject, but it resolved');
}

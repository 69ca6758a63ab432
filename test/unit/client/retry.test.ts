import { describe, expect, it } from 'vitest';
import {
  ConnectionLossError,
  InvalidArgumentError,
  NoNodeError,
  RequestTimeoutError,
  SessionExpiredError,
  ThrottledOpError,
} from '../../../src/client/errors.js';
import { isRetryable, retry } from '../../../src/client/retry.js';

const fast = { backoff: { initialMs: 1, maxMs: 2 } };

describe('retry', () => {
  it('retries connection loss, request timeouts and throttling, then succeeds', async () => {
    const failures = [new ConnectionLossError(), new RequestTimeoutError(), new ThrottledOpError()];
    const attempts: number[] = [];
    const result = await retry(async (attempt) => {
      attempts.push(attempt);
      const failure = failures.shift();
      if (failure !== undefined) throw failure;
      return Promise.resolve('ok');
    }, fast);
    expect(result).toBe('ok');
    expect(attempts).toEqual([0, 1, 2, 3]);
  });

  it('never retries session expiry or server answers such as NONODE', async () => {
    for (const error of [new SessionExpiredError(), new NoNodeError('/a')]) {
      let calls = 0;
      await expect(
        retry(() => {
          calls++;
          return Promise.reject(error);
        }, fast),
      ).rejects.toBe(error);
      expect(calls).toBe(1);
    }
  });

  it('gives up after `retries` retries with the last error', async () => {
    let calls = 0;
    const last = new ConnectionLossError(undefined, 'CONNECTIONLOSS: the last one');
    await expect(
      retry(
        () => {
          calls++;
          return Promise.reject(calls === 3 ? last : new ConnectionLossError());
        },
        { ...fast, retries: 2 },
      ),
    ).rejects.toBe(last);
    expect(calls).toBe(3);
  });

  it('stops waiting when the signal aborts, rejecting with its reason', async () => {
    const controller = new AbortController();
    const reason = new Error('stop');
    const pending = retry(() => Promise.reject(new ConnectionLossError()), {
      retries: 10,
      backoff: { initialMs: 60_000 },
      signal: controller.signal,
    });
    controller.abort(reason);
    await expect(pending).rejects.toBe(reason);
  });

  it('refuses a nonsensical retry count', async () => {
    await expect(retry(() => Promise.resolve(1), { retries: -1 })).rejects.toBeInstanceOf(
      InvalidArgumentError,
    );
  });

  it('classifies errors', () => {
    expect(isRetryable(new ConnectionLossError())).toBe(true);
    expect(isRetryable(new SessionExpiredError())).toBe(false);
    expect(isRetryable(new Error('x'))).toBe(false);
  });
});

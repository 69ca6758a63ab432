import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  ConnectionLossError,
  NoNodeError,
  NodeExistsError,
  RequestTimeoutError,
} from '../../../src/index.js';
import type { ZooKeeper } from '../../../src/index.js';
import {
  throughTrouble,
  TroublePauses,
} from '../../../src/recipes/coordination/connection-trouble.js';
import { GiveUp } from '../../../src/recipes/coordination/give-up.js';
import { LockTimeoutError } from '../../../src/recipes/index.js';
import { StubClient } from './stub-client.js';

// The one retry every recipe uses, on a fake clock: which errors it rides out, how long it
// pauses between tries, and what stops it.

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

/** A step that fails with each of `errors` in turn, then answers `value`; records when it ran. */
function failing<T>(errors: Error[], value: T): { step: () => Promise<T>; at: number[] } {
  const at: number[] = [];
  const step = (): Promise<T> => {
    at.push(Date.now());
    const error = errors.shift();
    return error === undefined ? Promise.resolve(value) : Promise.reject(error);
  };
  return { step, at };
}

describe('TroublePauses', () => {
  it('grows from 50 ms, doubling, to 500 ms, each pause between half and all of its ceiling', async () => {
    const draws = [0, 0.6, 0, 0.5, 0, 0.5];
    vi.spyOn(Math, 'random').mockImplementation(() => draws.shift() ?? 0.5);
    const pauses = new TroublePauses();
    const lengths: number[] = [];
    for (let i = 0; i < 6; i++) {
      const start = Date.now();
      const pause = pauses.next();
      await vi.runAllTimersAsync();
      await pause;
      lengths.push(Date.now() - start);
    }
    // Ceilings 50, 100, 200, 400, 500, 500.
    expect(lengths).toEqual([25, 80, 100, 300, 250, 375]);
  });
});

describe('throughTrouble', () => {
  it('rides out connection loss and request timeouts, pausing between tries', async () => {
    vi.spyOn(Math, 'random').mockReturnValue(0.6);
    const { step, at } = failing(
      [new ConnectionLossError('/a'), new RequestTimeoutError('/a', 'slow')],
      'answer',
    );
    const result = throughTrouble(step);
    await vi.runAllTimersAsync();
    await expect(result).resolves.toBe('answer');
    expect(at.map((t) => t - (at[0] ?? 0))).toEqual([0, 40, 40 + 80]);
  });

  it('throws any other error at once, and an accepted one only while tries remain', async () => {
    const other = failing([new NodeExistsError('/a')], 'never');
    await expect(throughTrouble(other.step)).rejects.toBeInstanceOf(NodeExistsError);
    expect(other.at).toHaveLength(1);

    const noNode = () => new NoNodeError('/a');
    const limited = failing([noNode(), noNode(), noNode()], 'never');
    const result = throughTrouble(limited.step, {
      again: (error) => error instanceof NoNodeError,
      tries: 3,
    });
    const rejected = expect(result).rejects.toBeInstanceOf(NoNodeError);
    await vi.runAllTimersAsync();
    await rejected;
    expect(limited.at).toHaveLength(3);
  });

  it('stops with the wait: a timeout ends it during a pause', async () => {
    const client = new StubClient();
    const give = new GiveUp(client as unknown as ZooKeeper, '/lock', { timeout: 100 });
    const forever = { step: () => Promise.reject(new ConnectionLossError('/a')) };
    const result = throughTrouble(forever.step, { give });
    const rejected = expect(result).rejects.toBeInstanceOf(LockTimeoutError);
    await vi.advanceTimersByTimeAsync(150);
    await rejected;
    give.dispose();
  });
});

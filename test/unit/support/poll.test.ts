import { describe, expect, it } from 'vitest';
import { rejectionOf, until, within } from '../../support/poll.js';

// Every test's waits go through these: a wait that cannot fail would let any of them pass unseen.

describe('until', () => {
  it('resolves once a sync or an async check holds', async () => {
    let calls = 0;
    await until('the third call', () => ++calls === 3, { intervalMs: 1 });
    expect(calls).toBe(3);
    await until('an async yes', () => Promise.resolve(true));
  });

  it('fails after its timeout, naming what it waited for, for how long, and what was seen then', async () => {
    let seen = 0;
    const error = await rejectionOf(
      until(
        () => `seen ${seen}`,
        () => ++seen < 0,
        { timeoutMs: 30, intervalMs: 5 },
      ),
    );
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toBe(`timed out after 30 ms waiting for seen ${seen}`);
    expect(seen).toBeGreaterThan(1);
  });

  it('fails at once when the check throws', async () => {
    const thrown = new Error('exited');
    expect(await rejectionOf(until('never', () => Promise.reject(thrown)))).toBe(thrown);
  });
});

describe('within', () => {
  it('settles as the promise does, or fails after its timeout', async () => {
    expect(await within('a value', Promise.resolve(7), 50)).toBe(7);
    const error = await rejectionOf(within('a watch', new Promise(() => undefined), 20));
    expect((error as Error).message).toBe('timed out after 20 ms waiting for a watch');
  });
});

describe('rejectionOf', () => {
  it('fails when the promise resolves', async () => {
    const error = await rejectionOf(rejectionOf(Promise.resolve()));
    expect((error as Error).message).toBe('expected the promise to reject, but it resolved');
  });
});

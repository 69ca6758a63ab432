import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { stateStream } from '../../../src/client/state-stream.js';
import type { StateChange } from '../../../src/client/state-stream.js';

function source(): {
  emit(change: StateChange): void;
  listeners(): number;
  subscribe: Parameters<typeof stateStream>[0];
} {
  const emitter = new EventEmitter();
  return {
    emit: (change) => emitter.emit('state', change),
    listeners: () => emitter.listenerCount('state'),
    subscribe: (listener) => {
      emitter.on('state', listener);
      return () => emitter.off('state', listener);
    },
  };
}

const change = (state: StateChange['state'], previous: StateChange['state']): StateChange => ({
  state,
  previous,
  sessionId: 1n,
});

describe('stateStream', () => {
  it('buffers changes for a slow consumer and ends after closed', async () => {
    const events = source();
    const stream = stateStream(events.subscribe);
    events.emit(change('suspended', 'connected'));
    events.emit(change('reconnected', 'suspended'));
    events.emit(change('closed', 'reconnected'));
    events.emit(change('connected', 'closed')); // after the end: not delivered
    const seen: string[] = [];
    for await (const { state } of stream) seen.push(state);
    expect(seen).toEqual(['suspended', 'reconnected', 'closed']);
    expect(events.listeners()).toBe(0);
  });

  it('wakes a waiting consumer', async () => {
    const events = source();
    const stream = stateStream(events.subscribe);
    const next = stream.next();
    events.emit(change('lost', 'suspended'));
    await expect(next).resolves.toEqual({ value: change('lost', 'suspended'), done: false });
  });

  it('ends when the signal aborts or the consumer breaks, unsubscribing', async () => {
    const events = source();
    const controller = new AbortController();
    const stream = stateStream(events.subscribe, controller.signal);
    const next = stream.next();
    controller.abort();
    await expect(next).resolves.toEqual({ value: undefined, done: true });
    expect(events.listeners()).toBe(0);

    const second = stateStream(events.subscribe);
    events.emit(change('suspended', 'connected'));
    const first: IteratorResult<StateChange> = await second.next();
    expect(first.done).toBe(false);
    await second.return?.();
    expect(events.listeners()).toBe(0);
  });

  it('settles every pending next(), not only the last one', async () => {
    const events = source();
    const stream = stateStream(events.subscribe);
    const first = stream.next();
    const second = stream.next();
    events.emit(change('suspended', 'connected'));
    events.emit(change('closed', 'suspended'));
    const results = await Promise.all([first, second]);
    expect(results.map((result) => (result.done === true ? 'done' : result.value.state))).toEqual([
      'suspended',
      'closed',
    ]);
  });
});

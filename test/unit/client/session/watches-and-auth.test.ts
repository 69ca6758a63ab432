import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { call } from '../../../../src/client/operations/call.js';
import { AuthFailedError } from '../../../../src/client/errors.js';
import type { RawWatchEvent } from '../../../../src/client/watches/watch-registry.js';
import { ErrorCode, OpCode } from '../../../../src/protocol/index.js';
import type { SetWatches } from '../../../../src/protocol/index.js';
import { advance, connected, fakeSession, nextAttempt, settle, useFakeClock } from './fixture.js';

// What a new connection carries before anything else: the watches to re-register (SetWatches, in
// the Java client's batches) and the credentials; and what a refusal of those credentials does.

// A promise the fake clock never settles fails in 5 s, not the unit project's 60.
vi.setConfig({ testTimeout: 5000 });
beforeEach(useFakeClock);
afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

describe('Session over a fake transport: watches after a reconnect', () => {
  it('re-registers every watch first, at the newest zxid, then sends what waited; persistent watchers hear after the answer', async () => {
    const fake = fakeSession();
    const first = await connected(fake);
    const heard: RawWatchEvent[] = [];
    fake.session.watches.add('data', '/a', () => undefined);
    fake.session.watches.add('child', '/b', () => undefined);
    fake.session.watches.add('persistent', '/c', (event) => heard.push(event));
    const request = call(fake.session, OpCode.sync, '/x', { path: '/x' });
    first.reply({ body: { path: '/x' }, zxid: 0x77n });
    await request;
    first.drop();
    const waited = call(fake.session, OpCode.sync, '/y', { path: '/y' });

    const second = (await nextAttempt(fake)).accept();
    await settle();
    expect(second.opcodes).toEqual([OpCode.setWatches2, OpCode.sync]);
    expect(second.written[0]?.value).toEqual({
      relativeZxid: 0x77n,
      dataWatches: ['/a'],
      existWatches: [],
      childWatches: ['/b'],
      persistentWatches: ['/c'],
      persistentRecursiveWatches: [],
    });
    expect(heard).toEqual([]);
    second.reply();
    expect(heard).toEqual([{ kind: 'resumed', serverPath: '/c' }]);
    second.reply({ body: { path: '/y' } });
    await expect(waited).resolves.toEqual({ path: '/y' });
  });

  it('splits the paths into SetWatches of about 128 K characters, as the Java client does', async () => {
    const fake = fakeSession();
    const first = await connected(fake);
    const paths = Array.from({ length: 300 }, (_, i) => `/${String(i).padStart(999, '0')}`);
    for (const path of paths) fake.session.watches.add('data', path, () => undefined);
    first.drop();

    const second = (await nextAttempt(fake)).accept();
    await settle();
    expect(second.opcodes).toEqual([OpCode.setWatches, OpCode.setWatches, OpCode.setWatches]);
    const batches = second.written.map((w) => (w.value as SetWatches).dataWatches);
    expect(batches.map((b) => b.length)).toEqual([132, 132, 36]);
    expect(batches.flat()).toEqual(paths);
  });

  it('sends nothing to re-register when there is no watch', async () => {
    const fake = fakeSession();
    const first = await connected(fake);
    first.drop();
    const second = (await nextAttempt(fake)).accept();
    await settle();
    expect(second.written).toEqual([]);
  });
});

describe('Session over a fake transport: credentials', () => {
  const auth = [{ scheme: 'digest', auth: 'user:secret' }];

  it('sends the credentials on every connection, and connect() waits for their answer', async () => {
    const fake = fakeSession({ auth });
    const started = fake.session.start();
    await settle();
    const first = fake.dialer.pending.accept();
    await settle();
    expect(first.auths.map((a) => [a.scheme, Buffer.from(a.auth ?? []).toString()])).toEqual([
      ['digest', 'user:secret'],
    ]);
    expect(fake.names()).toEqual([]);
    first.authReply(0);
    await started;
    expect(fake.names()).toEqual(['connected']);

    first.drop();
    const second = (await nextAttempt(fake)).accept();
    await settle();
    expect(second.auths).toHaveLength(1);
    expect(fake.names()).toEqual(['connected', 'suspended', 'reconnected']);
  });

  it('a connection that drops in the same read that accepted the credentials is not used: the next one is', async () => {
    const fake = fakeSession({ auth }, 2);
    const started = fake.session.start();
    const early = call(fake.session, OpCode.sync, '/a', { path: '/a' });
    await settle();
    const first = fake.dialer.pending.accept();
    await settle();
    first.authReply(0);
    first.drop();
    await settle();
    expect(first.written).toEqual([]);
    expect(fake.names()).toEqual(['suspended']);

    const second = (await nextAttempt(fake)).accept();
    await settle();
    second.authReply(0);
    await started;
    expect(fake.names()).toEqual(['suspended', 'connected']);
    expect(second.opcodes).toEqual([OpCode.sync]);
    second.reply({ body: { path: '/a' } });
    await expect(early).resolves.toEqual({ path: '/a' });
  });

  it('a refusal fails connect() with AuthFailedError and stops for good: no reconnect storm', async () => {
    const fake = fakeSession({ auth });
    const started = fake.session.start();
    await settle();
    const first = fake.dialer.pending.accept();
    await settle();
    first.authReply(ErrorCode.AUTHFAILED);
    await expect(started).rejects.toBeInstanceOf(AuthFailedError);
    expect(fake.names()).toContain('authFailed');
    expect(first.isOpen).toBe(false);
    await advance(10_000);
    expect(fake.dialer.attempts).toHaveLength(1);
    await expect(call(fake.session, OpCode.sync, '/a', { path: '/a' })).rejects.toThrow();
  });
});

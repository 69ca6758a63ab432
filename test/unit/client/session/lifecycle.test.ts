import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { call } from '../../../../src/client/operations/call.js';
import {
  ClientClosedError,
  ConnectionLossError,
  SessionExpiredError,
} from '../../../../src/client/errors.js';
import { OpCode } from '../../../../src/protocol/index.js';
import {
  advance,
  advanceRefusing,
  connected,
  fakeSession,
  nextAttempt,
  settle,
  useFakeClock,
} from './fixture.js';

// The session's lifetime over fake transports and a fake clock: what it presents on each connect,
// which states it reports when, and what happens to requests on the way. The same behaviours run
// against a real server in test/integration/client-*.test.ts; these pin the timing exactly.

// A promise the fake clock never settles fails in 5 s, not the unit project's 60.
vi.setConfig({ testTimeout: 5000 });
beforeEach(useFakeClock);
afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

const sync = (path: string) => ({ path });

describe('Session over a fake transport: opening and resuming', () => {
  it('opens a session, then writes what was asked while it connected, in order', async () => {
    const fake = fakeSession();
    const started = fake.session.start();
    const early = call(fake.session, OpCode.sync, '/a', sync('/a'));
    await settle();
    const attempt = fake.dialer.pending;
    expect(attempt.request.sessionId).toBe(0n);
    expect(attempt.request.timeOut).toBe(3000);

    const transport = attempt.accept({ timeOut: 4000 });
    await started;
    expect(fake.names()).toEqual(['connected']);
    expect(fake.session.negotiatedTimeoutMs).toBe(4000);
    expect(transport.written.map((w) => [w.opcode, w.value])).toEqual([
      [OpCode.sync, { path: '/a' }],
    ]);
    transport.reply({ body: { path: '/a' } });
    await expect(early).resolves.toEqual({ path: '/a' });
  });

  it('resumes after a drop with the same id and password and the newest zxid: suspended, then reconnected', async () => {
    const fake = fakeSession({}, 2);
    const first = await connected(fake);
    const sessionId = fake.session.sessionId;
    const inFlight = call(fake.session, OpCode.sync, '/a', sync('/a'));
    const answered = call(fake.session, OpCode.sync, '/b', sync('/b'));
    first.reply({ body: { path: '/a' }, zxid: 0x55n });
    await inFlight;

    first.drop();
    await expect(answered).rejects.toBeInstanceOf(ConnectionLossError);
    expect(fake.names()).toEqual(['connected', 'suspended']);
    const waited = call(fake.session, OpCode.sync, '/c', sync('/c'));

    const attempt = await nextAttempt(fake);
    expect(attempt.request.sessionId).toBe(sessionId);
    expect(attempt.request.passwd).toEqual(fake.session.password);
    expect(attempt.request.lastZxidSeen).toBe(0x55n);
    const second = attempt.accept();
    await settle();
    expect(fake.names()).toEqual(['connected', 'suspended', 'reconnected']);
    expect(second.written.map((w) => w.value)).toEqual([{ path: '/c' }]);
    second.reply({ body: { path: '/c' } });
    await expect(waited).resolves.toEqual({ path: '/c' });
  });

  it('a reply that answers no request ends the connection; what was in flight fails with CONNECTIONLOSS', async () => {
    const fake = fakeSession();
    const transport = await connected(fake);
    const inFlight = call(fake.session, OpCode.sync, '/a', sync('/a'));
    transport.replyOutOfOrder();
    await expect(inFlight).rejects.toBeInstanceOf(ConnectionLossError);
    expect(transport.isOpen).toBe(false);
    expect(fake.names()).toEqual(['connected', 'suspended']);
  });
});

describe('Session over a fake transport: losing it', () => {
  it('declares the session lost one session timeout after the last answered send, not before', async () => {
    const fake = fakeSession({ sessionTimeout: 3000 });
    const transport = await connected(fake);
    await advance(1000);
    transport.pingAnswered();
    await advance(500);
    // Sent later than the ping, answered 500 ms after: the server touched the session no
    // earlier than it received it, so the clock runs from the send.
    const sentAt = performance.now();
    const answered = call(fake.session, OpCode.sync, '/a', sync('/a'));
    await advance(500);
    transport.reply({ body: { path: '/a' } });
    await answered;
    transport.drop();
    const waiting = call(fake.session, OpCode.sync, '/a', sync('/a'));
    const rejected = expect(waiting).rejects.toBeInstanceOf(SessionExpiredError);

    await advanceRefusing(fake, 2500 - 25);
    expect(fake.names()).toEqual(['connected', 'suspended']);
    await advanceRefusing(fake, 50);
    const lost = fake.states.at(-1);
    expect(lost?.state).toBe('lost');
    expect(lost?.cause).toBe('timeout');
    expect(lost?.at).toBe(sentAt + 3000);
    await rejected;
  });

  it('after its own timer, ends the old session on a server that may keep it, then opens a new one', async () => {
    const fake = fakeSession({ sessionTimeout: 3000 });
    const transport = await connected(fake);
    const oldId = fake.session.sessionId;
    transport.drop();
    await advanceRefusing(fake, 3000);
    expect(fake.states.at(-1)?.state).toBe('lost');

    const stale = await nextAttempt(fake);
    expect(stale.request.sessionId).toBe(oldId);
    const staleTransport = stale.accept();
    await settle();
    expect(staleTransport.opcodes).toEqual([OpCode.closeSession]);
    staleTransport.reply();
    await settle();
    expect(staleTransport.isOpen).toBe(false);

    const fresh = await nextAttempt(fake);
    expect(fresh.request.sessionId).toBe(0n);
    fresh.accept();
    await settle();
    expect(fake.names()).toEqual(['connected', 'suspended', 'lost', 'connected']);
    expect(fake.session.sessionId).not.toBe(oldId);
  });

  it('a server that refuses the session (timeOut 0) ends it at once, cause expired, with no closeSession after', async () => {
    const fake = fakeSession();
    const transport = await connected(fake);
    transport.drop();
    const refused = (await nextAttempt(fake)).accept({ timeOut: 0 });
    await settle();
    expect(refused.isOpen).toBe(false);
    expect(fake.states.at(-1)).toMatchObject({ state: 'lost', cause: 'expired' });
    const fresh = await nextAttempt(fake);
    expect(fresh.request.sessionId).toBe(0n);
  });

  it('SESSIONEXPIRED in a reply ends the session at once', async () => {
    const fake = fakeSession({ newSessionOnLoss: false });
    const transport = await connected(fake);
    const request = call(fake.session, OpCode.sync, '/a', sync('/a'));
    transport.reply({ err: -112 });
    await expect(request).rejects.toBeInstanceOf(SessionExpiredError);
    expect(fake.states.at(-1)).toMatchObject({ state: 'lost', cause: 'expired' });
    await expect(call(fake.session, OpCode.sync, '/b', sync('/b'))).rejects.toBeInstanceOf(
      SessionExpiredError,
    );
  });
});

describe('Session over a fake transport: request timeout and close', () => {
  it('fails a request with no answer within the request timeout, and only that one', async () => {
    const fake = fakeSession({ requestTimeout: 1000 });
    const transport = await connected(fake);
    const slow = call(fake.session, OpCode.sync, '/slow', sync('/slow'));
    const rejected = expect(slow).rejects.toMatchObject({ code: 'REQUESTTIMEOUT' });
    await advance(600);
    const later = call(fake.session, OpCode.sync, '/later', sync('/later'));
    await advance(650);
    await rejected;
    // The late answer to the first is ignored; the second is answered in time.
    transport.reply({ body: { path: '/slow' } });
    transport.reply({ body: { path: '/later' } });
    await expect(later).resolves.toEqual({ path: '/later' });
    expect(transport.isOpen).toBe(true);
  });

  it('close() sends closeSession after what is in flight, waits for its answer, then ends', async () => {
    const fake = fakeSession();
    const transport = await connected(fake);
    const inFlight = call(fake.session, OpCode.sync, '/a', sync('/a'));
    const closed = fake.session.close();
    await settle();
    expect(transport.opcodes).toEqual([OpCode.sync, OpCode.closeSession]);
    transport.replyAll((w) => (w.opcode === OpCode.sync ? { path: '/a' } : undefined));
    await closed;
    await expect(inFlight).resolves.toEqual({ path: '/a' });
    expect(transport.closedWith).toBeInstanceOf(ClientClosedError);
    expect(fake.names()).toEqual(['connected', 'closed']);
  });

  it('close() with no answer gives up after 2 s and fails what is pending with ClientClosedError', async () => {
    const fake = fakeSession({ sessionTimeout: 10_000 });
    await connected(fake);
    const inFlight = call(fake.session, OpCode.sync, '/a', sync('/a'));
    const failed = expect(inFlight).rejects.toBeInstanceOf(ClientClosedError);
    const closed = fake.session.close();
    await advance(1990);
    expect(fake.names()).toEqual(['connected']);
    await advance(20);
    await closed;
    await failed;
    expect(fake.names()).toEqual(['connected', 'closed']);
    await expect(call(fake.session, OpCode.sync, '/b', sync('/b'))).rejects.toBeInstanceOf(
      ClientClosedError,
    );
  });
});

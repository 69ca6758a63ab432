import { afterEach, describe, expect, it } from 'vitest';
import { SessionExpiredError, ZooKeeper } from '../../../src/index.js';
import type { StateChange } from '../../../src/index.js';
import { ErrorCode, ReplyHeader, Xid } from '../../../src/protocol/index.js';
import { frame, scriptedServer } from './scripted-server.js';
import type { ScriptedServer } from './scripted-server.js';

/**
 * A reply a real server sends only in a narrow race (a request that reaches it just after it
 * expired the session): every request is answered SESSIONEXPIRED, and pings normally, so the
 * connection itself stays healthy.
 */
function expiringServer(): Promise<ScriptedServer> {
  return scriptedServer(({ xid }) =>
    frame((w) => {
      ReplyHeader.write(w, { xid, zxid: 0n, err: xid === Xid.ping ? 0 : ErrorCode.SESSIONEXPIRED });
    }),
  );
}

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('a reply that says the session expired', () => {
  it('ends the session at once (lost, expired) and is no proof of life for its deadline', async () => {
    const server = await expiringServer();
    cleanups.push(() => {
      server.close();
    });
    const zk = await ZooKeeper.connect(`127.0.0.1:${server.port}`, { newSessionOnLoss: false });
    cleanups.push(() => zk.close());
    const changes: StateChange[] = [];
    zk.on('state', (_state, change) => changes.push(change));

    const error = await zk.exists('/x').then(
      () => undefined,
      (rejection: unknown) => rejection,
    );

    expect(error).toBeInstanceOf(SessionExpiredError);
    expect(zk.state).toBe('lost');
    expect(zk.sessionDeadline).toBeUndefined();
    expect(changes.map(({ state, cause }) => [state, cause])).toEqual([['lost', 'expired']]);
  });
});

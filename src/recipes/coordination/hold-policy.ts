import {
  AuthFailedError,
  ClientClosedError,
  InvalidArgumentError,
  SessionExpiredError,
} from '../../client/index.js';
import type { ZooKeeper, ZooKeeperState } from '../../client/index.js';
import type { LeaseLossCause } from './errors.js';

/*
 * What the session's state means for something a recipe holds on it (a lock's node, a
 * leadership, a registration) and for a wait to get one. One table for every recipe:
 *
 * | the session is …        | a hold, lostOn 'suspended'  | … lostOn 'lost' | a wait           |
 * |-------------------------|-----------------------------|-----------------|------------------|
 * | connected, reconnected  | held                        | held            | goes on          |
 * | suspended, readOnly     | not trusted ('suspended')   | held            | goes on          |
 * | past its deadline       | not trusted ('unconfirmed') | the same        | goes on          |
 * | lost, authFailed        | gone ('lost')               | the same        | ends             |
 * | closing, closed         | gone ('closed')             | the same        | ends             |
 * | another session's       | gone ('lost')               | the same        | ends             |
 *
 * A wait ends with SessionExpiredError, ClientClosedError or AuthFailedError (GiveUp). The
 * deadline is the one the leader confirmed (docs/sessions.md), read where the hold is read, since
 * a timer may not have acted on it yet when the event loop stalled.
 */

/** When a hold stops being trusted: as soon as the connection is suspended, or only once the session is lost. */
export type LostOn = 'suspended' | 'lost';

/** The `lostOn` option, checked at run time too, defaulting to the safe `'suspended'`. */
export function validateLostOn(value: unknown): LostOn {
  if (value === undefined) return 'suspended';
  if (value === 'suspended' || value === 'lost') return value;
  throw new InvalidArgumentError(
    `lostOn must be 'suspended' or 'lost', got ${typeof value === 'string' ? value : typeof value}`,
  );
}

/**
 * Why a hold of `owner`'s can no longer be trusted right now, if it cannot: from the state, the
 * session (a new one means ours is gone, with our node), and the session's deadline — the one
 * the leader confirmed — which a timer may not have acted on yet when the event loop stalled.
 */
export function trustEnded(
  zk: ZooKeeper,
  owner: bigint,
  lostOn: LostOn,
): LeaseLossCause | undefined {
  const cause = lossCauseFor(zk.state, lostOn);
  if (cause !== undefined) return cause;
  // closeSession is on its way: the server deletes our node before `closed` is reported.
  if (zk.closing) return 'closed';
  if (zk.sessionId !== owner) return 'lost';
  const deadline = zk.sessionDeadline;
  return deadline !== undefined && performance.now() >= deadline ? 'unconfirmed' : undefined;
}

function lossCauseFor(state: ZooKeeperState, lostOn: LostOn): LeaseLossCause | undefined {
  switch (state) {
    // A read-only server cannot vouch for the session: the quorum may be expiring it meanwhile.
    case 'suspended':
    case 'readOnly':
      return lostOn === 'suspended' ? 'suspended' : undefined;
    // The client stops talking to the servers, so the session will expire: the hold is gone.
    case 'lost':
    case 'authFailed':
      return 'lost';
    case 'closed':
      return 'closed';
    default:
      return undefined;
  }
}

/**
 * Why a wait on the session must end now, if it must: the session is lost (our node went with
 * it), the client is closing (the server is about to delete it) or stopped for good (no watch
 * will fire, no request be answered).
 */
export function waitEndFor(zk: ZooKeeper, state: ZooKeeperState, path: string): Error | undefined {
  if (state === 'lost') return new SessionExpiredError(path);
  if (state === 'closed' || zk.closing) return new ClientClosedError();
  if (state === 'authFailed') return new AuthFailedError(path);
  return undefined;
}

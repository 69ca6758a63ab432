import type { Credential, ResolvedSasl } from '../auth-options.js';
import type { HostAddress } from '../connect-string.js';
import type { ZooKeeperTlsOptions } from '../types.js';

export interface SessionOptions {
  readonly hosts: readonly HostAddress[];
  /** Requested session timeout, ms; the server clamps it (see `negotiatedTimeoutMs`). */
  readonly sessionTimeoutMs: number;
  /** How long a request may wait for its answer, ms; 0 = forever. */
  readonly requestTimeoutMs: number;
  /** How long the first connect may take in all, over every host and retry, ms. */
  readonly connectTimeoutMs: number;
  /** After `lost`, open a new session (true) or stay lost until close(). */
  readonly newSessionOnLoss: boolean;
  /** Accept read-only servers (the ConnectRequest's readOnly flag). */
  readonly canBeReadOnly: boolean;
  readonly maxRequestFrame: number;
  readonly maxResponseFrame: number;
  /** TLS for every connection; undefined: plain TCP. */
  readonly tls?: ZooKeeperTlsOptions | undefined;
  /** Sent on every connection, after SASL if configured (see authenticate.ts). */
  readonly auth: readonly Credential[];
  readonly sasl: ResolvedSasl | undefined;
  /** Trust only what the leader confirmed (see LeaderConfirmation); undefined: what any server answered. */
  readonly leaderConfirmation: LeaderConfirmationOptions | undefined;
}

export interface LeaderConfirmationOptions {
  /** The servers' tickTime (an upper bound on it), ms; undefined: half the session timeout. */
  readonly tickTimeMs: number | undefined;
  /** How often to sync; at most the longest interval that keeps trust unbroken. */
  readonly syncIntervalMs: number | undefined;
}

export type SessionState =
  | 'connecting'
  | 'connected'
  | 'suspended'
  | 'reconnected'
  | 'lost'
  | 'readOnly'
  | 'authFailed'
  | 'closed';

/** Why the session was lost: the server said so, or the client's own timer ran out. */
export type LossCause = 'expired' | 'timeout';

export interface StateDetail {
  /** The session the state is about (for `lost`: the one that was lost). */
  readonly sessionId: bigint;
  readonly cause?: LossCause;
}

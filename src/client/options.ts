import { DEFAULT_MAX_REQUEST_FRAME, DEFAULT_MAX_RESPONSE_FRAME } from '../protocol/index.js';
import { authOptions } from './auth-options.js';
import type { HostAddress } from './connect-string.js';
import { InvalidArgumentError } from './errors.js';
import { longestSyncInterval } from './session/leader-trust.js';
import type { LeaderConfirmationOptions, SessionOptions } from './session/session-types.js';
import { checkTlsOptions } from './transport/socket.js';
import type { ZooKeeperOptions } from './types.js';

const DEFAULT_SESSION_TIMEOUT_MS = 30_000;
const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;

/** The session's settings from the user's options, with defaults, refusing nonsense up front. */
export function sessionOptions(
  hosts: readonly HostAddress[],
  options: ZooKeeperOptions,
): SessionOptions {
  const sessionTimeoutMs = positive(
    options.sessionTimeout,
    DEFAULT_SESSION_TIMEOUT_MS,
    'sessionTimeout',
  );
  return {
    hosts,
    sessionTimeoutMs,
    requestTimeoutMs: nonNegative(
      options.requestTimeout,
      DEFAULT_REQUEST_TIMEOUT_MS,
      'requestTimeout',
    ),
    connectTimeoutMs: positive(options.connectTimeout, sessionTimeoutMs, 'connectTimeout'),
    newSessionOnLoss: options.newSessionOnLoss ?? true,
    canBeReadOnly: options.canBeReadOnly ?? false,
    maxRequestFrame: positive(options.maxRequestSize, DEFAULT_MAX_REQUEST_FRAME, 'maxRequestSize'),
    maxResponseFrame: positive(
      options.maxResponseSize,
      DEFAULT_MAX_RESPONSE_FRAME,
      'maxResponseSize',
    ),
    tls: checkTlsOptions(options.tls),
    ...authOptions(options),
    leaderConfirmation: leaderConfirmationOptions(options.leaderConfirmation, sessionTimeoutMs),
  };
}

function leaderConfirmationOptions(
  setting: ZooKeeperOptions['leaderConfirmation'],
  sessionTimeoutMs: number,
): LeaderConfirmationOptions | undefined {
  if (setting === false) return undefined;
  const given = setting as unknown;
  if (given !== undefined && (typeof given !== 'object' || given === null)) {
    throw new InvalidArgumentError(
      `leaderConfirmation must be false or an object, got ${given === null ? 'null' : typeof given}`,
    );
  }
  const tickTimeMs = optionalPositive(setting?.tickTime, 'leaderConfirmation.tickTime');
  if (tickTimeMs !== undefined && longestSyncInterval(sessionTimeoutMs, tickTimeMs) === undefined) {
    throw new InvalidArgumentError(
      `leaderConfirmation.tickTime ${tickTimeMs} ms leaves no time within sessionTimeout ${sessionTimeoutMs} ms to confirm the session with the leader: the session timeout must exceed about 1.3 × tickTime (ZooKeeper grants at least 2 × tickTime by default)`,
    );
  }
  return {
    tickTimeMs,
    syncIntervalMs: optionalPositive(setting?.syncInterval, 'leaderConfirmation.syncInterval'),
  };
}

function optionalPositive(value: number | undefined, name: string): number | undefined {
  return value === undefined ? undefined : positive(value, 0, name);
}

function positive(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value <= 0) {
    throw new InvalidArgumentError(`${name} must be a positive number, got ${String(value)}`);
  }
  return value;
}

function nonNegative(value: number | undefined, fallback: number, name: string): number {
  if (value === 0) return 0;
  return positive(value, fallback, name);
}

/** The `persistentWatchRemoval` option, checked. */
export function watchRemovalOption(value: unknown): 'any' | 'exact' {
  if (value === undefined) return 'any';
  if (value === 'any' || value === 'exact') return value;
  throw new InvalidArgumentError(
    `persistentWatchRemoval must be 'any' or 'exact', got ${JSON.stringify(value)}`,
  );
}

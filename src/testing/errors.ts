import { ZkCoordError } from '../protocol/errors.js';

/** No usable ZooKeeper installation (jars) was found. */
export class ZooKeeperNotFoundError extends ZkCoordError {
  declare readonly code: 'ZOOKEEPER_NOT_FOUND';

  constructor(message: string, options?: ErrorOptions) {
    super('ZOOKEEPER_NOT_FOUND', message, options);
  }
}

/** No `java` executable was found (JAVA_HOME or PATH). */
export class JavaNotFoundError extends ZkCoordError {
  declare readonly code: 'JAVA_NOT_FOUND';

  constructor(message: string, options?: ErrorOptions) {
    super('JAVA_NOT_FOUND', message, options);
  }
}

/** A server process exited, or did not become ready, while starting. */
export class ZooKeeperStartError extends ZkCoordError {
  declare readonly code: 'ZOOKEEPER_START_FAILED';
  /** The last lines of this start's server log, to attribute the failure without opening files. */
  readonly logTail: string;

  constructor(message: string, logTail: string, options?: ErrorOptions) {
    super(
      'ZOOKEEPER_START_FAILED',
      logTail === '' ? message : `${message}\n--- server log (tail) ---\n${logTail}`,
      options,
    );
    this.logTail = logTail;
  }
}

/** A four-letter-word connection failed (refused, reset, ...); the socket error is the cause. */
export class FourLetterWordError extends ZkCoordError {
  declare readonly code: 'FOUR_LETTER_WORD_FAILED';

  constructor(message: string, options?: ErrorOptions) {
    super('FOUR_LETTER_WORD_FAILED', message, options);
  }
}

/** A four-letter word got no complete answer in time (server paused, starting, or overloaded). */
export class FourLetterWordTimeoutError extends ZkCoordError {
  declare readonly code: 'FOUR_LETTER_WORD_TIMEOUT';

  constructor(message: string, options?: ErrorOptions) {
    super('FOUR_LETTER_WORD_TIMEOUT', message, options);
  }
}

/** A server method was called in a state where it cannot work (for example restart after stop). */
export class ZooKeeperServerStateError extends ZkCoordError {
  declare readonly code: 'ZOOKEEPER_SERVER_STATE';

  constructor(message: string, options?: ErrorOptions) {
    super('ZOOKEEPER_SERVER_STATE', message, options);
  }
}

/** An ensemble was asked for a size other than 3 or 5 members. */
export class EnsembleSizeError extends ZkCoordError {
  declare readonly code: 'ENSEMBLE_SIZE_INVALID';

  constructor(message: string, options?: ErrorOptions) {
    super('ENSEMBLE_SIZE_INVALID', message, options);
  }
}

/** No single leader (with a quorum, where asked) emerged in time; the message lists each mode. */
export class NoLeaderError extends ZkCoordError {
  declare readonly code: 'ZOOKEEPER_NO_LEADER';

  constructor(message: string, options?: ErrorOptions) {
    super('ZOOKEEPER_NO_LEADER', message, options);
  }
}

/** A FaultProxy method was called after stop(), or stop() ended a pending dropReplyTo(). */
export class FaultProxyStoppedError extends ZkCoordError {
  declare readonly code: 'FAULT_PROXY_STOPPED';

  constructor(message: string, options?: ErrorOptions) {
    super('FAULT_PROXY_STOPPED', message, options);
  }
}

/** dropReplyTo(): the connection closed after the request went through but before its reply. */
export class ReplyNotDroppedError extends ZkCoordError {
  declare readonly code: 'REPLY_NOT_DROPPED';

  constructor(message: string, options?: ErrorOptions) {
    super('REPLY_NOT_DROPPED', message, options);
  }
}

/** expireSession(): the server does not know the session (already expired, closed, or never). */
export class SessionNotFoundError extends ZkCoordError {
  declare readonly code: 'SESSION_NOT_FOUND';

  constructor(message: string, options?: ErrorOptions) {
    super('SESSION_NOT_FOUND', message, options);
  }
}

/** expireSession() could not finish: no server to use, a socket error, or no answer in time. */
export class ExpireSessionError extends ZkCoordError {
  declare readonly code: 'EXPIRE_SESSION_FAILED';

  constructor(message: string, options?: ErrorOptions) {
    super('EXPIRE_SESSION_FAILED', message, options);
  }
}

/** TLS test certificates could not be made (`openssl` missing or failing). */
export class TlsSetupError extends ZkCoordError {
  declare readonly code: 'TLS_SETUP_FAILED';

  constructor(message: string, options?: ErrorOptions) {
    super('TLS_SETUP_FAILED', message, options);
  }
}

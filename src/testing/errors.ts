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

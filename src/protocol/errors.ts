/**
 * Base class of every error zkcoord throws, so callers can tell ours from everything else with a
 * single `instanceof` and switch on a stable `code` instead of parsing messages.
 */
export class ZkCoordError extends Error {
  readonly code: string;

  constructor(code: string, message: string, options?: ErrorOptions) {
    super(message, options);
    // new.target keeps the subclass name in stack traces without every subclass repeating it.
    this.name = new.target.name;
    this.code = code;
  }
}

/**
 * Bytes that do not form a valid ZooKeeper frame or record, or a value that cannot be encoded.
 * A connection that produced one cannot be trusted to stay in sync and should be dropped.
 */
export class ProtocolError extends ZkCoordError {
  constructor(message: string, options?: ErrorOptions) {
    super('PROTOCOL_ERROR', message, options);
  }
}

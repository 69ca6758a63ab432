import { ErrorCode, errorCodeDescription, ZkCoordError } from '../protocol/index.js';
import type { ErrorCodeName } from '../protocol/index.js';

export { ZkCoordError, ProtocolError } from '../protocol/index.js';

/**
 * An error reported by (or, for CONNECTIONLOSS, REQUESTTIMEOUT and SESSIONEXPIRED, also on behalf
 * of) the ZooKeeper server. `code` is the server's name for it and `zkCode` its number, so code
 * written against the Java client's `KeeperException.Code` reads the same.
 */
export class ZooKeeperError extends ZkCoordError {
  /** The numeric ZooKeeper error code (`KeeperException.Code`). */
  readonly zkCode: number;
  /** The path of the request, as the caller gave it (chroot already stripped). */
  readonly path: string | undefined;

  constructor(
    code: string,
    zkCode: number,
    path?: string,
    message?: string,
    options?: ErrorOptions,
  ) {
    super(code, message ?? describe(code, zkCode, path), options);
    this.zkCode = zkCode;
    this.path = path;
  }
}

function describe(code: string, zkCode: number, path: string | undefined): string {
  const text = errorCodeDescription(zkCode);
  return path === undefined ? `${code}: ${text}` : `${code}: ${text} (${path})`;
}

/** Builds the constructor of one server error class, so each code has a class of its own. */
function serverError<const Name extends ErrorCodeName>(name: Name) {
  return class extends ZooKeeperError {
    declare readonly code: Name;
    constructor(path?: string, message?: string, options?: ErrorOptions) {
      super(name, ErrorCode[name], path, message, options);
    }
  };
}

// One class per code of KeeperException.Code; `instanceof` and `code` both work for matching.
export class SystemError extends serverError('SYSTEMERROR') {}
export class RuntimeInconsistencyError extends serverError('RUNTIMEINCONSISTENCY') {}
export class DataInconsistencyError extends serverError('DATAINCONSISTENCY') {}
/**
 * The connection dropped while the request was outstanding, or before it could be sent. The
 * outcome of a write is unknown: it may or may not have been applied.
 */
export class ConnectionLossError extends serverError('CONNECTIONLOSS') {}
export class MarshallingError extends serverError('MARSHALLINGERROR') {}
export class UnimplementedError extends serverError('UNIMPLEMENTED') {}
export class OperationTimeoutError extends serverError('OPERATIONTIMEOUT') {}
export class BadArgumentsError extends serverError('BADARGUMENTS') {}
export class UnknownSessionError extends serverError('UNKNOWNSESSION') {}
export class NewConfigNoQuorumError extends serverError('NEWCONFIGNOQUORUM') {}
export class ReconfigInProgressError extends serverError('RECONFIGINPROGRESS') {}
export class ApiError extends serverError('APIERROR') {}
export class NoNodeError extends serverError('NONODE') {}
export class NoAuthError extends serverError('NOAUTH') {}
export class BadVersionError extends serverError('BADVERSION') {}
export class NoChildrenForEphemeralsError extends serverError('NOCHILDRENFOREPHEMERALS') {}
export class NodeExistsError extends serverError('NODEEXISTS') {}
export class NotEmptyError extends serverError('NOTEMPTY') {}
export class SessionExpiredError extends serverError('SESSIONEXPIRED') {}
export class InvalidCallbackError extends serverError('INVALIDCALLBACK') {}
export class InvalidACLError extends serverError('INVALIDACL') {}
export class AuthFailedError extends serverError('AUTHFAILED') {}
export class SessionMovedError extends serverError('SESSIONMOVED') {}
export class NotReadOnlyError extends serverError('NOTREADONLY') {}
export class EphemeralOnLocalSessionError extends serverError('EPHEMERALONLOCALSESSION') {}
export class NoWatcherError extends serverError('NOWATCHER') {}
/** The request got no answer within `requestTimeout`. Like connection loss, a write's outcome is unknown. */
export class RequestTimeoutError extends serverError('REQUESTTIMEOUT') {}
export class ReconfigDisabledError extends serverError('RECONFIGDISABLED') {}
export class SessionClosedRequireSaslAuthError extends serverError(
  'SESSIONCLOSEDREQUIRESASLAUTH',
) {}
export class QuotaExceededError extends serverError('QUOTAEXCEEDED') {}
export class ThrottledOpError extends serverError('THROTTLEDOP') {}

/** A server error code this client does not know; `zkCode` keeps the number. */
export class UnknownServerError extends ZooKeeperError {
  declare readonly code: 'UNKNOWN';
  constructor(zkCode: number, path?: string) {
    super('UNKNOWN', zkCode, path);
  }
}

/** The client was closed, or closed itself, before the call could complete. */
export class ClientClosedError extends ZkCoordError {
  declare readonly code: 'CLIENT_CLOSED';
  constructor(message = 'the ZooKeeper client is closed', options?: ErrorOptions) {
    super('CLIENT_CLOSED', message, options);
  }
}

/** The caller passed something the server would refuse; nothing was sent. */
export class InvalidArgumentError extends ZkCoordError {
  declare readonly code: 'INVALID_ARGUMENT';
  constructor(message: string, options?: ErrorOptions) {
    super('INVALID_ARGUMENT', message, options);
  }
}

type ServerErrorClass = new (
  path?: string,
  message?: string,
  options?: ErrorOptions,
) => ZooKeeperError;

const classByCode = new Map<number, ServerErrorClass>(
  [
    SystemError,
    RuntimeInconsistencyError,
    DataInconsistencyError,
    ConnectionLossError,
    MarshallingError,
    UnimplementedError,
    OperationTimeoutError,
    BadArgumentsError,
    UnknownSessionError,
    NewConfigNoQuorumError,
    ReconfigInProgressError,
    ApiError,
    NoNodeError,
    NoAuthError,
    BadVersionError,
    NoChildrenForEphemeralsError,
    NodeExistsError,
    NotEmptyError,
    SessionExpiredError,
    InvalidCallbackError,
    InvalidACLError,
    AuthFailedError,
    SessionMovedError,
    NotReadOnlyError,
    EphemeralOnLocalSessionError,
    NoWatcherError,
    RequestTimeoutError,
    ReconfigDisabledError,
    SessionClosedRequireSaslAuthError,
    QuotaExceededError,
    ThrottledOpError,
  ].map((cls) => [new cls().zkCode, cls]),
);

/** The error for a non-zero ZooKeeper error code, as the class registered for that code. */
export function errorFromCode(zkCode: number, path?: string): ZooKeeperError {
  const cls = classByCode.get(zkCode);
  return cls === undefined ? new UnknownServerError(zkCode, path) : new cls(path);
}

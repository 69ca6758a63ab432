/** `KeeperException.Code`: the `err` of a ReplyHeader or of a failed multi result. */
export const ErrorCode = {
  OK: 0,
  SYSTEMERROR: -1,
  RUNTIMEINCONSISTENCY: -2,
  DATAINCONSISTENCY: -3,
  CONNECTIONLOSS: -4,
  MARSHALLINGERROR: -5,
  UNIMPLEMENTED: -6,
  OPERATIONTIMEOUT: -7,
  BADARGUMENTS: -8,
  UNKNOWNSESSION: -12,
  NEWCONFIGNOQUORUM: -13,
  RECONFIGINPROGRESS: -14,
  APIERROR: -100,
  NONODE: -101,
  NOAUTH: -102,
  BADVERSION: -103,
  NOCHILDRENFOREPHEMERALS: -108,
  NODEEXISTS: -110,
  NOTEMPTY: -111,
  SESSIONEXPIRED: -112,
  INVALIDCALLBACK: -113,
  INVALIDACL: -114,
  AUTHFAILED: -115,
  SESSIONMOVED: -118,
  NOTREADONLY: -119,
  EPHEMERALONLOCALSESSION: -120,
  NOWATCHER: -121,
  REQUESTTIMEOUT: -122,
  RECONFIGDISABLED: -123,
  SESSIONCLOSEDREQUIRESASLAUTH: -124,
  QUOTAEXCEEDED: -125,
  THROTTLEDOP: -127,
} as const;

export type ErrorCodeName = keyof typeof ErrorCode;
export type ErrorCode = (typeof ErrorCode)[ErrorCodeName];

const descriptions: Record<ErrorCodeName, string> = {
  OK: 'ok',
  SYSTEMERROR: 'system error',
  RUNTIMEINCONSISTENCY: 'runtime inconsistency (an earlier op of the multi failed)',
  DATAINCONSISTENCY: 'data inconsistency',
  CONNECTIONLOSS: 'connection lost with the request outstanding',
  MARSHALLINGERROR: 'the server could not decode or encode the request',
  UNIMPLEMENTED: 'operation not implemented by the server',
  OPERATIONTIMEOUT: 'operation timed out',
  BADARGUMENTS: 'bad arguments (path, flags or TTL)',
  UNKNOWNSESSION: 'unknown session',
  NEWCONFIGNOQUORUM: 'the new configuration has no synced quorum',
  RECONFIGINPROGRESS: 'a reconfiguration is already in progress',
  APIERROR: 'API error',
  NONODE: 'no node',
  NOAUTH: 'not authorized by the ACL',
  BADVERSION: 'version mismatch',
  NOCHILDRENFOREPHEMERALS: 'ephemeral nodes cannot have children',
  NODEEXISTS: 'node already exists',
  NOTEMPTY: 'node has children',
  SESSIONEXPIRED: 'session expired',
  INVALIDCALLBACK: 'invalid callback',
  INVALIDACL: 'invalid ACL',
  AUTHFAILED: 'authentication failed',
  SESSIONMOVED: 'session moved to another server',
  NOTREADONLY: 'not allowed on a read-only server',
  EPHEMERALONLOCALSESSION: 'ephemeral node on a local session',
  NOWATCHER: 'no such watcher',
  REQUESTTIMEOUT: 'request timed out',
  RECONFIGDISABLED: 'reconfiguration is disabled',
  SESSIONCLOSEDREQUIRESASLAUTH: 'session closed: the server requires authentication',
  QUOTAEXCEEDED: 'quota exceeded',
  THROTTLEDOP: 'operation throttled by the server',
};

const namesByCode = new Map<number, ErrorCodeName>(
  (Object.keys(ErrorCode) as ErrorCodeName[]).map((name) => [ErrorCode[name], name]),
);

/** The KeeperException.Code name, or undefined for a number ZooKeeper does not assign. */
export function errorCodeName(code: number): ErrorCodeName | undefined {
  return namesByCode.get(code);
}

/** A short human description for messages; unassigned codes keep their number. */
export function errorCodeDescription(code: number): string {
  const name = namesByCode.get(code);
  return name === undefined ? `unknown error code ${code}` : descriptions[name];
}

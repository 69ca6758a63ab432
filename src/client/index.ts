export { ZooKeeper } from './zookeeper.js';
export type { ZooKeeperState } from './zookeeper.js';
export type { StateObserver } from './state-observers.js';
export type { StateChange } from './state-stream.js';
export { MultiRead } from './operations/multi-read.js';
export { PersistentWatcher } from './watches/persistent-watcher.js';
export type {
  GetChildrenReadResult,
  GetDataReadResult,
  ReadErrorResult,
  ReadResult,
} from './operations/multi-read.js';
export { Transaction } from './operations/transaction.js';
export type {
  CheckOpResult,
  CreateOpResult,
  DeleteOpResult,
  OpResult,
  SetDataOpResult,
  TransactionError,
  TransactionFailure,
} from './operations/transaction.js';
export { CreateMode } from './types.js';
export type {
  AddWatchMode,
  AddWatchOptions,
  CreateOptions,
  CreateResult,
  Data,
  GetACLResult,
  GetChildrenResult,
  GetDataResult,
  LeaderConfirmationSettings,
  NodeEvent,
  NodeEventType,
  PersistentWatchEvent,
  RemoveWatchesOptions,
  Stat,
  VersionOptions,
  Watched,
  WatchEvent,
  WatcherType,
  WatchLostEvent,
  WatchOptions,
  ZooKeeperOptions,
  ZooKeeperTlsOptions,
} from './types.js';
export type { ConfigResult, ReconfigChange } from './operations/config.js';
export { ConfigFormatError, parseConfig } from './quorum-config.js';
export type { ConfigMember, ParsedConfig } from './quorum-config.js';
export { CREATOR_ALL_ACL, digestId, OPEN_ACL_UNSAFE, Perms, READ_ACL_UNSAFE } from './acl.js';
export type { ACL, Id } from './acl.js';
export type { AuthCredentials, SaslOptions } from './auth-options.js';
export type { ConnectionCounters } from './transport/transport.js';
export { parseConnectString } from './connect-string.js';
export { validatePath } from './path.js';
export type { HostAddress, ParsedConnectString } from './connect-string.js';
export * from './errors.js';
export type {
  RequestEndMessage,
  RequestStartMessage,
  TrustMessage,
  StateMessage,
  WatchMessage,
} from './session/diagnostics.js';

export { ZooKeeper } from './zookeeper.js';
export type { ZooKeeperState } from './zookeeper.js';
export { MultiRead } from './multi-read.js';
export type {
  GetChildrenReadResult,
  GetDataReadResult,
  ReadErrorResult,
  ReadResult,
} from './multi-read.js';
export { Transaction } from './transaction.js';
export type {
  CheckOpResult,
  CreateOpResult,
  DeleteOpResult,
  OpResult,
  SetDataOpResult,
  TransactionError,
  TransactionFailure,
} from './transaction.js';
export { CreateMode } from './types.js';
export type {
  CreateOptions,
  CreateResult,
  Data,
  GetACLResult,
  GetChildrenResult,
  GetDataResult,
  NodeEventType,
  Stat,
  VersionOptions,
  Watched,
  WatchEvent,
  WatchOptions,
  ZooKeeperOptions,
} from './types.js';
export type { ConfigResult, ReconfigChange } from './operations/config.js';
export { ConfigFormatError, parseConfig } from './quorum-config.js';
export type { ConfigMember, ParsedConfig } from './quorum-config.js';
export { CREATOR_ALL_ACL, digestId, OPEN_ACL_UNSAFE, Perms, READ_ACL_UNSAFE } from './acl.js';
export type { ACL, Id } from './acl.js';
export type { ConnectionCounters } from './connection.js';
export { parseConnectString } from './connect-string.js';
export { validatePath } from './path.js';
export type { HostAddress, ParsedConnectString } from './connect-string.js';
export * from './errors.js';

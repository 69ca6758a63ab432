export { EnsembleMember } from './ensemble-member.js';
export type { EnsembleAccessOptions } from './ensemble-reconfig.js';
export {
  ZooKeeperEnsemble,
  type WaitOptions,
  type ZooKeeperEnsembleOptions,
  type ZooKeeperEnsembleTls,
} from './ensemble.js';
export {
  EnsembleSizeError,
  ExpireSessionError,
  FaultProxyStoppedError,
  FourLetterWordError,
  FourLetterWordTimeoutError,
  JavaNotFoundError,
  NoLeaderError,
  ReplyNotDroppedError,
  SessionNotFoundError,
  TlsSetupError,
  ZooKeeperNotFoundError,
  ZooKeeperServerStateError,
  ZooKeeperStartError,
} from './errors.js';
export {
  findZooKeeper,
  type ZooKeeperInstallation,
  type ZooKeeperSource,
} from './find-zookeeper.js';
export { expireSession, type ExpireSessionOptions, type SessionHolder } from './expire-session.js';
export {
  FaultProxy,
  type FaultMode,
  type FaultProxyOptions,
  type ForwardListener,
} from './fault-proxy.js';
export { fourLetterWord, type FourLetterWordOptions } from './four-letter-word.js';
export { freePort, freePorts } from './free-port.js';
export type { ZooKeeperLogLevel } from './launch.js';
export type { QuorumLink } from './quorum-links.js';
export type { ServerMode } from './readiness.js';
export type { SaslServerOptions } from './sasl.js';
export { ZooKeeperServer, type ZooKeeperServerOptions } from './server.js';
export type { HostPort } from './host-port.js';
export type { TlsClientAuth, ZooKeeperServerTls, ZooKeeperTlsOption } from './tls.js';
export type { ClientToServerCounts, ServerToClientCounts, WireCounts } from './wire-tap.js';
export type { ZooCfgEntries, ZooCfgValue } from './zoo-cfg.js';
export { serverVersion, versionAtLeast } from './server-version.js';
export type { ServerVersion } from './server-version.js';

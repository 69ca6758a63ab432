export {
  FourLetterWordError,
  FourLetterWordTimeoutError,
  JavaNotFoundError,
  ZooKeeperNotFoundError,
  ZooKeeperServerStateError,
  ZooKeeperStartError,
} from './errors.js';
export {
  findZooKeeper,
  type ZooKeeperInstallation,
  type ZooKeeperSource,
} from './find-zookeeper.js';
export { fourLetterWord, type FourLetterWordOptions } from './four-letter-word.js';
export { freePort, freePorts } from './free-port.js';
export type { ZooKeeperLogLevel } from './launch.js';
export { ZooKeeperServer, type ZooKeeperServerOptions } from './server.js';
export type { ZooCfgEntries, ZooCfgValue } from './zoo-cfg.js';

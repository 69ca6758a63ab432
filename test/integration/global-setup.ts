import type { TestProject } from 'vitest/node';
import { ZooKeeperServer } from '../../src/testing/index.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** `127.0.0.1:<port>` of the server shared by every integration test file. */
    zkConnectString: string;
    /** Its data directory (to inspect snapshots or logs after a failure). */
    zkDataDir: string;
    /** Its log file; worth reading when a test fails in a way the client cannot explain. */
    zkLogFile: string;
  }
}

/**
 * One real ZooKeeper for the whole integration run. Test files isolate themselves under a chroot
 * of their own (see helpers.ts) instead of each starting a JVM, which costs ~0.3 s and ~100 MB.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const server = await ZooKeeperServer.start();
  project.provide('zkConnectString', server.connectString);
  project.provide('zkDataDir', server.dataDir);
  project.provide('zkLogFile', server.logFile);
  return async () => {
    await server.stop();
  };
}

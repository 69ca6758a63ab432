import { execFile } from 'node:child_process';
import { constants } from 'node:fs';
import { access, mkdtemp, realpath, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ZooKeeper } from '../../src/index.js';
import { Mutex, ReadWriteLock, Semaphore, SequenceWrappedError } from '../../src/recipes/index.js';
import { findZooKeeper, ZooKeeperServer } from '../../src/testing/index.js';
import { rejectionOf, until } from '../support/poll.js';
import { childrenOf, IN_BACKGROUND } from './recipe-helpers.js';

/**
 * A parent's 2^31st child cannot be reached by creating children in a test, so the server starts
 * on a snapshot written by SnapshotWithCversion.java with the server's own classes (so also for
 * the ZOOKEEPER_VERSION under test), whose parents' counts are about to run out.
 */
const CRAFTER = join(
  dirname(fileURLToPath(import.meta.url)),
  'sequence-wrap',
  'SnapshotWithCversion.java',
);
const LAST = 2 ** 31 - 1;

const installation = await findZooKeeper();
// The source launcher compiles in memory, which takes a JDK; scripts/install-zookeeper.sh
// installs one, so CI has it, and there a missing JDK fails instead of skipping.
const hasJdk = await access(
  join(dirname(await realpath(installation.java)), 'javac'),
  constants.X_OK,
)
  .then(() => true)
  .catch(() => false);

describe.skipIf(!hasJdk && process.env['CI'] === undefined)(
  'a lock parent whose sequence numbers run out',
  () => {
    let dataDir: string | undefined;
    let server: ZooKeeperServer | undefined;
    const clients: ZooKeeper[] = [];
    const open = async (): Promise<ZooKeeper> => {
      if (server === undefined) throw new Error('the server did not start');
      const zk = await ZooKeeper.connect(server.connectString, { sessionTimeout: 10_000 });
      clients.push(zk);
      return zk;
    };

    beforeAll(async () => {
      const dir = await mkdtemp(join(tmpdir(), 'zkcoord-seqwrap-'));
      dataDir = dir;
      await promisify(execFile)(installation.java, [
        '-Dorg.slf4j.simpleLogger.defaultLogLevel=warn',
        '-cp',
        installation.classpath.join(delimiter),
        CRAFTER,
        dir,
        `/mutex=${LAST - 2}`,
        `/rw=${LAST}`,
        '/sem/leases',
        `/sem/locks=${LAST - 1}`,
        // Contenders as another library or a wrapped parent would leave them; the count comes
        // last, as it only goes up.
        `/listed/_c_a-lock-${LAST - 1}`,
        `/listed/_c_b-lock-${LAST}`,
        '/listed/_c_c-lock--2147483648',
        '/listed/_c_d-lock--000000005',
        '/listed=7',
      ]);
      server = await ZooKeeperServer.start({ dataDir: dir, installation });
    });

    afterEach(async () => {
      await Promise.all(clients.splice(0).map((zk) => zk.close()));
    });

    afterAll(async () => {
      await server?.stop();
      // A data directory we pass is ours to remove, not the harness's.
      if (dataDir !== undefined) await rm(dataDir, { recursive: true, force: true });
    });

    it('the server really gives the numbers the snapshot set up', async () => {
      const zk = await open();
      const { path } = await zk.create('/rw/probe-', '', { mode: 'ephemeral-sequential' });
      expect(path).toBe(`/rw/probe-${LAST}`);
    });

    it('Mutex: those queued before keep their places; an acquire at the last number refuses and leaves nothing', async () => {
      const [a, b, c] = [await open(), await open(), await open()];
      const first = await new Mutex(a, '/mutex').acquire();
      expect(first.path).toMatch(new RegExp(`-lock-${LAST - 2}$`));
      // Its place is reported after its first listing: a listing that saw the nodes made below
      // would refuse too.
      let place = -1;
      const waiting = new Mutex(b, '/mutex').acquire({ onPosition: (p) => (place = p) });
      await until('b to queue at place 1', () => place === 1, IN_BACKGROUND);

      const mutex = new Mutex(c, '/mutex');
      // A timeout, so that without the check this fails as a LockTimeoutError, not a hang.
      const refused = await rejectionOf(mutex.acquire({ timeout: 5_000 }));
      expect(refused).toBeInstanceOf(SequenceWrappedError);
      expect(refused).toMatchObject({ code: 'LOCK_SEQUENCE_WRAPPED', path: '/mutex' });
      expect((refused as SequenceWrappedError).node).toMatch(new RegExp(`-lock-${LAST}$`));
      expect((refused as Error).message).toMatch(/delete the node \/mutex and create it again/);
      // The server gives the last number again (or a negative one): still refused.
      const tried = await rejectionOf(mutex.tryAcquire());
      expect(tried).toBeInstanceOf(SequenceWrappedError);
      expect((tried as SequenceWrappedError).node).toMatch(new RegExp(`-lock-(${LAST}|-\\d+)$`));
      await until(
        'the refused node to go, 2 left',
        async () => (await childrenOf(c, '/mutex')).length === 2,
        IN_BACKGROUND,
      );

      const holders = await mutex.participants();
      expect(holders.map((entry) => [entry.sequence, entry.holds])).toEqual([
        [LAST - 2, true],
        [LAST - 1, false],
      ]);
      await first.release();
      const second = await waiting;
      expect(second.path).toMatch(new RegExp(`-lock-${LAST - 1}$`));
      await second.release();
      expect(await childrenOf(c, '/mutex')).toEqual([]);
    });

    it('ReadLock and WriteLock refuse too, acquire and tryAcquire alike', async () => {
      const zk = await open();
      const lock = new ReadWriteLock(zk, '/rw');
      await expect(lock.readLock.acquire({ timeout: 5_000 })).rejects.toBeInstanceOf(
        SequenceWrappedError,
      );
      await expect(lock.writeLock.tryAcquire()).rejects.toBeInstanceOf(SequenceWrappedError);
      await until(
        'the refused read/write nodes to go',
        async () => (await childrenOf(zk, '/rw')).length === 0,
        IN_BACKGROUND,
      );
    });

    it('Semaphore: its internal mutex refuses, leaving neither a mutex nor a lease node', async () => {
      const zk = await open();
      const semaphore = new Semaphore(zk, '/sem', { leases: 2 });
      const lease = await semaphore.acquire();
      await lease.release();
      const refused = await rejectionOf(semaphore.acquire({ timeout: 5_000 }));
      expect(refused).toBeInstanceOf(SequenceWrappedError);
      expect(refused).toMatchObject({ path: '/sem/locks' });
      await until(
        'the refused semaphore mutex node to go',
        async () => (await childrenOf(zk, '/sem/locks')).length === 0,
        IN_BACKGROUND,
      );
      expect(await childrenOf(zk, '/sem/leases')).toEqual([]);
    });

    it('a contender past the last number is refused even when our own number is fine; participants() still lists it', async () => {
      const zk = await open();
      const mutex = new Mutex(zk, '/listed');
      const refused = await rejectionOf(mutex.acquire({ timeout: 5_000 }));
      expect(refused).toBeInstanceOf(SequenceWrappedError);
      expect(refused).toMatchObject({ path: '/listed' });
      await until(
        'the refused node to go, the 4 listed left',
        async () => (await childrenOf(zk, '/listed')).length === 4,
        IN_BACKGROUND,
      );
      // Wrapped numbers come after the others, in the order they were created.
      const entries = await mutex.participants();
      expect(entries.map((entry) => [entry.name, entry.sequence, entry.holds])).toEqual([
        [`_c_a-lock-${LAST - 1}`, LAST - 1, true],
        [`_c_b-lock-${LAST}`, LAST, false],
        ['_c_c-lock--2147483648', -2147483648, false],
        ['_c_d-lock--000000005', -5, false],
      ]);
    });
  },
);

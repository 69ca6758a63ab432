import java.io.BufferedReader;
import java.io.FileWriter;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.recipes.locks.InterProcessMutex;
import org.apache.curator.framework.recipes.locks.InterProcessReadWriteLock;
import org.apache.curator.retry.ExponentialBackoffRetry;

/**
 * A real Curator 5 contender for zkcoord's interop tests (compiled at test time against Debian's
 * libcurator-recipes-java).
 *
 * <p>usage: CuratorLocker CONNECT LOCK_PATH mutex|read|write ITERATIONS COUNTER_PATH OUT_FILE [HOLD_MS]
 *
 * <p>Prints "ready" once connected and waits for a line on stdin, so that every contender starts
 * together (a JVM takes a second to start; without the barrier the others would be done by
 * then). Each iteration: acquire, note the start on CLOCK_MONOTONIC (System.nanoTime, the clock
 * Node's hrtime and Python's monotonic_ns read too, so intervals of all processes compare), read
 * the counter, sleep HOLD_MS (default: 1-5 ms at random), then a writer sets the counter to the
 * value read + 1 with version -1 (unconditional: only the lock protects it) while a reader reads
 * it again (a writer inside our hold would show), note the end, release. One JSON line per hold
 * is appended to OUT_FILE and flushed at once, so a crash keeps what was recorded.
 */
public final class CuratorLocker {
    /** One side of a lock, with the name of its node (the queue position is in it). */
    interface Side {
        void acquire() throws Exception;

        void release() throws Exception;

        String node();
    }

    // getLockPath() is protected: these subclasses expose it, as the node name is what the
    // tests use to check the hand-off order against the queue.
    static final class Mutex extends InterProcessMutex implements Side {
        Mutex(CuratorFramework client, String path) {
            super(client, path);
        }

        @Override
        public String node() {
            return getLockPath();
        }
    }

    static final class Write extends InterProcessReadWriteLock.WriteLock implements Side {
        Write(CuratorFramework client, String path) {
            super(client, path, null);
        }

        @Override
        public String node() {
            return getLockPath();
        }
    }

    static final class Read extends InterProcessReadWriteLock.ReadLock implements Side {
        Read(CuratorFramework client, String path) {
            // The write lock only serves Curator's re-entrancy check (a writer may also read).
            super(client, path, null, new InterProcessReadWriteLock.WriteLock(client, path, null));
        }

        @Override
        public String node() {
            return getLockPath();
        }
    }

    static Side side(String mode, CuratorFramework client, String path) {
        switch (mode) {
            case "mutex":
                return new Mutex(client, path);
            case "write":
                return new Write(client, path);
            case "read":
                return new Read(client, path);
            default:
                throw new IllegalArgumentException("mode must be mutex, read or write: " + mode);
        }
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 6 || args.length > 7) {
            System.err.println(
                    "usage: CuratorLocker CONNECT LOCK_PATH mutex|read|write ITERATIONS COUNTER_PATH OUT_FILE [HOLD_MS]");
            System.exit(2);
        }
        String connect = args[0], lockPath = args[1], mode = args[2], counterPath = args[4], outFile = args[5];
        int iterations = Integer.parseInt(args[3]);
        int holdMs = args.length == 7 ? Integer.parseInt(args[6]) : -1;

        CuratorFramework client = CuratorFrameworkFactory.builder()
                .connectString(connect)
                .sessionTimeoutMs(10_000)
                .connectionTimeoutMs(10_000)
                .retryPolicy(new ExponentialBackoffRetry(100, 5))
                .build();
        client.start();
        if (!client.blockUntilConnected(20, TimeUnit.SECONDS)) {
            System.err.println("CuratorLocker: no connection to " + connect);
            System.exit(1);
        }
        Side lock = side(mode, client, lockPath);
        // Load the acquire path's classes before the start line (on a lock of its own), so that
        // Curator contends from the first moment rather than after zkcoord had the lock to itself.
        Side warmup = side(mode, client, lockPath + "-warmup");
        warmup.acquire();
        warmup.release();
        boolean writes = !mode.equals("read");
        String who = "curator-" + ProcessHandle.current().pid();

        System.out.println("ready");
        System.out.flush();
        BufferedReader stdin = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        stdin.readLine();
        // The test keeps our stdin open while it runs: at its end, however it ends, we go too,
        // rather than wait forever in acquire() for a lock whose holders are gone.
        Thread watchdog = new Thread(() -> {
            try {
                while (stdin.readLine() != null) {
                    // Only the end of the stream matters.
                }
            } catch (Exception e) {
                // A broken stdin means the same as its end.
            }
            System.exit(3);
        });
        watchdog.setDaemon(true);
        watchdog.start();

        try (PrintWriter out = new PrintWriter(new FileWriter(outFile, StandardCharsets.UTF_8, true))) {
            for (int i = 0; i < iterations; i++) {
                lock.acquire();
                long start = System.nanoTime();
                String path = lock.node();
                String node = path.substring(path.lastIndexOf('/') + 1);
                System.out.println("acquired " + node);
                System.out.flush();
                long read = Long.parseLong(new String(client.getData().forPath(counterPath), StandardCharsets.UTF_8));
                Thread.sleep(holdMs >= 0 ? holdMs : ThreadLocalRandom.current().nextInt(1, 6));
                String after;
                if (writes) {
                    // No version: an unconditional write, which only the lock keeps from losing updates.
                    client.setData().forPath(counterPath, Long.toString(read + 1).getBytes(StandardCharsets.UTF_8));
                    after = "\"wrote\":" + (read + 1);
                } else {
                    after = "\"reread\":" + new String(client.getData().forPath(counterPath), StandardCharsets.UTF_8);
                }
                long end = System.nanoTime();
                lock.release();
                out.println("{\"who\":\"" + who + "\",\"lib\":\"curator\",\"mode\":\"" + mode + "\",\"node\":\"" + node
                        + "\",\"start\":\"" + start + "\",\"end\":\"" + end + "\",\"read\":" + read + "," + after + "}");
                out.flush();
            }
        }
        client.close();
        System.exit(0);
    }
}

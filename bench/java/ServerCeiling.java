import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.Version;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;

/**
 * The server's own W2 ceiling: CEILING_CLIENTS official Java clients (default 4), each its own
 * session and connection, each running W2 (getData of one 100-byte node, window WINDOW) at the
 * same time, after their warm-ups. The row reports what the server answered in total, so a client
 * whose W2 comes near it is limited by the server, not by itself.
 *
 * usage: ServerCeiling CONNECT w2   (one JSON line on stdout, as the peers' harness contract says)
 *
 * It is compiled against the peers' java/classes and reuses their Common (parameters, Timer,
 * JSON), so its figures mean what the java-zk row's mean.
 */
public final class ServerCeiling {
    static final int CLIENTS = Common.envInt("CEILING_CLIENTS", 4);

    public static void main(String[] args) throws Exception {
        if (args.length < 2 || !args[args.length - 1].equals("w2")) {
            System.err.println("usage: ServerCeiling CONNECT w2");
            System.exit(2);
        }
        String connect = args[args.length - 2];
        List<ZooKeeper> clients = new ArrayList<>();
        for (int i = 0; i < CLIENTS; i++) clients.add(connect(connect));
        ZooKeeper admin = clients.get(0);
        String base = Common.basePath("ceiling");
        String p = base + "/r";
        admin.create(base, new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
        admin.create(p, Common.payload(), ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
        Map<String, Object> r = Common.result(
                "zookeeper-java-async x" + CLIENTS, Version.getFullVersion().split("[-,]")[0], "w2");
        try {
            run(clients, p, r);
        } finally {
            admin.delete(p, -1);
            admin.delete(base, -1);
            for (ZooKeeper zk : clients) zk.close();
        }
        Common.emit(r);
    }

    static ZooKeeper connect(String connect) throws Exception {
        CountDownLatch up = new CountDownLatch(1);
        ZooKeeper zk = new ZooKeeper(connect, Common.SESSION_TIMEOUT_MS, ev -> {
            if (ev.getState() == Watcher.Event.KeeperState.SyncConnected) up.countDown();
        });
        if (!up.await(30, TimeUnit.SECONDS)) throw new IllegalStateException("no connection");
        return zk;
    }

    /** Every client warms up, waits for the others, then runs W2_OPS reads; timed from the barrier to the last reply. */
    static void run(List<ZooKeeper> clients, String p, Map<String, Object> r) throws Exception {
        AtomicInteger errs = new AtomicInteger();
        Common.Timer[] timer = new Common.Timer[1];
        CyclicBarrier start = new CyclicBarrier(clients.size(), () -> timer[0] = new Common.Timer());
        List<Thread> threads = new ArrayList<>();
        for (ZooKeeper zk : clients) {
            Thread t = new Thread(() -> {
                try {
                    reads(zk, p, Common.W2_WARMUP, errs);
                    start.await();
                    reads(zk, p, Common.W2_OPS, errs);
                } catch (Exception e) {
                    errs.incrementAndGet();
                    System.err.println("client: " + e);
                }
            });
            t.start();
            threads.add(t);
        }
        for (Thread t : threads) t.join();
        Common.Timer t = timer[0];
        t.stop();
        long ops = (long) Common.W2_OPS * clients.size();
        r.put("clients", clients.size());
        r.put("ops", ops);
        r.put("outstanding", Common.WINDOW * clients.size());
        r.put("ops_per_s", ops / t.elapsedS());
        t.put(r);
        r.put("errors", errs.get());
    }

    /** n getData calls with at most WINDOW outstanding, as ZkBench's pipelined W2. */
    static void reads(ZooKeeper zk, String p, int n, AtomicInteger errs) throws InterruptedException {
        Semaphore window = new Semaphore(Common.WINDOW);
        CountDownLatch done = new CountDownLatch(n);
        for (int i = 0; i < n; i++) {
            window.acquire();
            zk.getData(p, false, (rc, path, ctx, data, stat) -> {
                if (rc != 0 || data.length != Common.DATA_SIZE) errs.incrementAndGet();
                window.release();
                done.countDown();
            }, null);
        }
        done.await();
    }
}

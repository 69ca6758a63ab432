import java.io.File;
import java.util.HashMap;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.server.DataTree;
import org.apache.zookeeper.server.persistence.FileSnap;
import org.apache.zookeeper.server.persistence.Util;

/**
 * Writes a ZooKeeper snapshot into DATA_DIR/version-2 holding the nodes named on the command line,
 * with the server's own classes, so that a test can start a real server on a parent whose count
 * of child creations (the sequence number of its next child) no client could reach in a test's
 * time: 2^31 creates.
 *
 * Usage: SnapshotWithCversion DATA_DIR PATH[=COUNT] ...; PATH=COUNT sets the count of PATH, a
 * PATH alone is a plain persistent node. Missing parents are created, each create adding one to
 * its parent's count; a count only goes up, so name a parent's children before its count.
 */
public class SnapshotWithCversion {
  private static final byte[] NO_DATA = new byte[0];

  public static void main(String[] args) throws Exception {
    File snapDir = new File(args[0], "version-2");
    if (!snapDir.isDirectory() && !snapDir.mkdirs()) {
      throw new IllegalStateException("cannot create " + snapDir);
    }
    DataTree tree = new DataTree();
    long zxid = 0;
    long now = System.currentTimeMillis();
    for (int i = 1; i < args.length; i++) {
      String[] spec = args[i].split("=", 2);
      String path = spec[0];
      String[] parts = path.substring(1).split("/");
      String prefix = "";
      for (String part : parts) {
        prefix = prefix + "/" + part;
        if (tree.getNode(prefix) == null) {
          tree.createNode(prefix, NO_DATA, ZooDefs.Ids.OPEN_ACL_UNSAFE, 0, -1, ++zxid, now);
        }
      }
      if (spec.length == 2) {
        // A create replayed from the log carries the parent's new count and the tree takes it as
        // is: the one way in, with no client, to set it. Its child goes again at once.
        String child = path + "/count-setter";
        int count = Integer.parseInt(spec[1]);
        tree.createNode(child, NO_DATA, ZooDefs.Ids.OPEN_ACL_UNSAFE, 0, count, ++zxid, now);
        tree.deleteNode(child, ++zxid);
      }
    }
    tree.lastProcessedZxid = zxid;
    File snapshot = new File(snapDir, Util.makeSnapshotName(zxid));
    new FileSnap(snapDir).serialize(tree, new HashMap<>(), snapshot, true);
  }
}

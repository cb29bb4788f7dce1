// SparkleHBase: one JVM with a standalone HBase (ZooKeeper, one HMaster, one RegionServer, all
// in-process, data on the local filesystem) and HBase's REST gateway in front of it, every
// listener on 127.0.0.1. Started by tools/services/ensure-hbase.sh; the tests talk REST only.
//
// Usage: java … SparkleHBase <dir> <restPort> <zkPort> <masterPort> <regionServerPort>
import java.io.File;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.hbase.HBaseConfiguration;
import org.apache.hadoop.hbase.LocalHBaseCluster;
import org.apache.hadoop.hbase.client.Admin;
import org.apache.hadoop.hbase.client.Connection;
import org.apache.hadoop.hbase.client.ConnectionFactory;
import org.apache.hadoop.hbase.rest.RESTServer;
import org.apache.hadoop.hbase.zookeeper.MiniZooKeeperCluster;

public final class SparkleHBase {
  public static void main(String[] args) {
    try {
      start(args);
    } catch (Throwable t) {
      // Fail loudly: the JVM's non-daemon HBase threads would otherwise keep a dead launcher alive.
      t.printStackTrace();
      System.err.flush();
      Runtime.getRuntime().halt(1);
    }
  }

  private static void start(String[] args) throws Exception {
    if (args.length != 5) throw new IllegalArgumentException("usage: SparkleHBase <dir> <restPort> <zkPort> <masterPort> <regionServerPort>");
    File dir = new File(args[0]);
    int restPort = Integer.parseInt(args[1]);
    int zkPort = Integer.parseInt(args[2]);
    Configuration conf = HBaseConfiguration.create();
    conf.set("hbase.rootdir", new File(dir, "hbase").toURI().toString());
    conf.set("hbase.tmp.dir", new File(dir, "tmp").getAbsolutePath());
    conf.setBoolean("hbase.cluster.distributed", false);
    // The local filesystem has no hflush/hsync: HBase must not insist on it, and the WAL is the
    // plain FSHLog (the async one needs HDFS).
    conf.setBoolean("hbase.unsafe.stream.capability.enforce", false);
    conf.set("hbase.wal.provider", "filesystem");
    conf.set("hbase.zookeeper.quorum", "127.0.0.1");
    conf.setInt("hbase.zookeeper.property.clientPort", zkPort);
    conf.set("hbase.master.hostname", "127.0.0.1");
    conf.set("hbase.regionserver.hostname", "127.0.0.1");
    conf.set("hbase.master.ipc.address", "127.0.0.1");
    conf.set("hbase.regionserver.ipc.address", "127.0.0.1");
    conf.setInt("hbase.master.port", Integer.parseInt(args[3]));
    conf.setInt("hbase.regionserver.port", Integer.parseInt(args[4]));
    // No web UIs: fewer ports, faster start.
    conf.setInt("hbase.master.info.port", -1);
    conf.setInt("hbase.regionserver.info.port", -1);
    conf.setInt("hbase.rest.info.port", -1);
    conf.set("hbase.rest.host", "127.0.0.1");
    conf.setInt("hbase.rest.port", restPort);
    // Small and quick for tests.
    conf.setInt("hbase.regionserver.handler.count", 10);
    conf.setInt("hbase.master.wait.on.regionservers.mintostart", 1);

    MiniZooKeeperCluster zk = new MiniZooKeeperCluster(conf);
    zk.setDefaultClientPort(zkPort);
    zk.startup(new File(dir, "zookeeper"));

    LocalHBaseCluster cluster = new LocalHBaseCluster(conf, 1, 1);
    cluster.startup();
    // The REST gateway answers only once the cluster serves: wait until meta and namespaces list.
    try (Connection connection = ConnectionFactory.createConnection(conf); Admin admin = connection.getAdmin()) {
      long deadline = System.currentTimeMillis() + 300_000;
      while (true) {
        try {
          admin.listNamespaceDescriptors();
          break;
        } catch (Exception notYet) {
          if (System.currentTimeMillis() > deadline) throw notYet;
          Thread.sleep(250);
        }
      }
    }
    RESTServer rest = new RESTServer(conf);
    rest.run();
    System.out.println("SparkleHBase: REST gateway on 127.0.0.1:" + restPort);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        rest.stop();
      } catch (Exception ignored) {
        // Stopping anyway.
      }
      cluster.shutdown();
      try {
        zk.shutdown();
      } catch (Exception ignored) {
        // Stopping anyway.
      }
    }));
    rest.join();
  }
}

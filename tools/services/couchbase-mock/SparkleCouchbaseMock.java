// Starts CouchbaseMock (com.couchbase.mock:CouchbaseMock) for tests, bound to loopback only.
//
// The mock's own main binds its REST port on every interface; this main builds the same mock
// from a bucket configuration (one node, no replicas, the KV port fixed), switches on CCCP (the
// cluster map served over KV, which the 4.x SDKs bootstrap from), and swaps in an HTTP server
// whose bind goes to 127.0.0.1. The swap takes over the original server's handler registry, so
// every REST path the mock registers stays served.
//
// Usage: SparkleCouchbaseMock <restPort> <kvPort> <bucket> <password>
import com.couchbase.mock.Bucket;
import com.couchbase.mock.BucketConfiguration;
import com.couchbase.mock.CouchbaseMock;
import com.couchbase.mock.httpio.HttpServer;
import java.lang.reflect.Field;
import java.net.InetSocketAddress;
import java.util.List;

public final class SparkleCouchbaseMock {
  /** The mock's HTTP server, bound to loopback instead of the wildcard address. */
  static final class LoopbackHttpServer extends HttpServer {
    @Override
    public void bind(InetSocketAddress address) throws java.io.IOException {
      super.bind(new InetSocketAddress("127.0.0.1", address.getPort()));
    }
  }

  private static Field field(Class<?> type, String name) throws ReflectiveOperationException {
    Field f = type.getDeclaredField(name);
    f.setAccessible(true);
    return f;
  }

  public static void main(String[] args) throws Exception {
    int restPort = Integer.parseInt(args[0]);
    BucketConfiguration bucket = new BucketConfiguration();
    bucket.name = args[2];
    bucket.password = args[3];
    bucket.type = Bucket.BucketType.COUCHBASE;
    bucket.hostname = "127.0.0.1";
    bucket.numNodes = 1;
    bucket.numReplicas = 0;
    bucket.numVBuckets = 64;
    bucket.bucketStartPort = Integer.parseInt(args[1]);
    field(CouchbaseMock.class, "cccpBootstrap").setBoolean(null, true);
    CouchbaseMock mock = new CouchbaseMock(restPort, List.of(bucket));

    Field serverField = field(CouchbaseMock.class, "httpServer");
    HttpServer original = (HttpServer) serverField.get(mock);
    HttpServer loopback = new LoopbackHttpServer();
    for (String name : new String[] {"connectionFactory", "httpService", "registry", "allWorkers"}) {
      Field f = field(HttpServer.class, name);
      f.set(loopback, f.get(original));
    }
    serverField.set(mock, loopback);

    mock.start();
    mock.waitForStartup();
    System.out.println("SPARKLE COUCHBASE MOCK READY rest=" + mock.getHttpPort() + " kv=" + mock.getCarrierPort(bucket.name));
  }
}

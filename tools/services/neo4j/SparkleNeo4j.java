// Started by tools/services/ensure-neo4j.sh: one in-process Neo4j (org.neo4j.test:neo4j-harness) for
// Sparkle's tests. Bolt on 127.0.0.1:<port>, HTTP off, authentication on, with the password of the
// built-in `neo4j` user set at start so tests can log in (and fail to, with a wrong one).
//
// Usage: java -cp '<harness lib>/*:<this class dir>' SparkleNeo4j <work dir> <bolt port> <password>
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.configuration.connectors.HttpConnector;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.harness.Neo4j;
import org.neo4j.harness.Neo4jBuilders;

public final class SparkleNeo4j {
  public static void main(String[] args) throws Exception {
    Path work = Path.of(args[0]);
    int port = Integer.parseInt(args[1]);
    String password = args[2];
    Neo4j neo4j = Neo4jBuilders.newInProcessBuilder(work)
        .withDisabledServer()
        .withConfig(HttpConnector.enabled, false)
        .withConfig(BoltConnector.enabled, true)
        .withConfig(BoltConnector.listen_address, new SocketAddress("127.0.0.1", port))
        .withConfig(BoltConnector.advertised_address, new SocketAddress("127.0.0.1", port))
        .withConfig(GraphDatabaseSettings.auth_enabled, true)
        .withConfig(GraphDatabaseSettings.pagecache_memory, 32L * 1024 * 1024)
        .build();
    // The embedded API runs without authentication: set the known password, no change required.
    neo4j.databaseManagementService().database("system")
        .executeTransactionally("ALTER USER neo4j SET PASSWORD $password CHANGE NOT REQUIRED", java.util.Map.of("password", password));
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      neo4j.close();
      stopped.countDown();
    }));
    System.out.println("SPARKLE NEO4J READY bolt://127.0.0.1:" + port);
    System.out.flush();
    stopped.await();
  }
}

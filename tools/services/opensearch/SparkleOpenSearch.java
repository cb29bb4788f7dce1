// An OpenSearch node in-process for tests (tools/services/ensure-opensearch.sh compiles and runs it):
// one single-node cluster on loopback, HTTP through the netty4 transport plugin, no security plugin
// (so no authentication), disk watermarks off. Prints "SPARKLE OPENSEARCH READY" once started.
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Collections;
import java.util.List;
import org.opensearch.common.settings.Settings;
import org.opensearch.node.InternalSettingsPreparer;
import org.opensearch.node.Node;
import org.opensearch.plugins.Plugin;
import org.opensearch.transport.Netty4Plugin;

public final class SparkleOpenSearch {
  /** Node's plugin-taking constructor is protected: classpath plugins (netty4) without a plugins directory. */
  private static final class EmbeddedNode extends Node {
    EmbeddedNode(Settings settings) {
      super(InternalSettingsPreparer.prepareEnvironment(settings, Collections.emptyMap(), null, () -> "sparkle"),
          List.<Class<? extends Plugin>>of(Netty4Plugin.class), true);
    }
  }

  public static void main(String[] args) throws Exception {
    Path home = Paths.get(args[0]);
    Files.createDirectories(home.resolve("config"));
    Settings settings = Settings.builder()
        .put("path.home", home.toString())
        .put("path.data", home.resolve("data").toString())
        .put("path.logs", home.resolve("logs").toString())
        .put("cluster.name", "sparkle-test")
        .put("node.name", "sparkle")
        .put("http.host", "127.0.0.1")
        .put("http.port", args[1])
        .put("transport.host", "127.0.0.1")
        .put("transport.port", args[2])
        .put("discovery.type", "single-node")
        .put("http.type", "netty4")
        .put("transport.type", "netty4")
        .put("cluster.routing.allocation.disk.threshold_enabled", false)
        .build();
    Node node = new EmbeddedNode(settings);
    node.start();
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        node.close();
      } catch (Exception ignored) {
        // exiting anyway
      }
    }));
    System.out.println("SPARKLE OPENSEARCH READY");
    Thread.currentThread().join();
  }
}

package io.lapse.infra;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import org.junit.jupiter.api.Test;

/** Start failures that a person can act on, checked before anything heavy starts. */
class StartFailureTest {

  @Test
  void shouldExplainThatTheBrokerPortIsInUse() throws Exception {
    try (ServerSocket taken = bindLoopback()) {
      BrokerOptions options = BrokerOptions.defaults().withPort(taken.getLocalPort());

      assertThatThrownBy(() -> InProcessKafkaBroker.start(options))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("127.0.0.1:" + taken.getLocalPort())
          .hasMessageContaining("in use");
    }
  }

  @Test
  void shouldExplainThatTheRegistryPortIsInUse() throws Exception {
    try (ServerSocket taken = bindLoopback()) {
      RegistryOptions options = RegistryOptions.defaults().withPort(taken.getLocalPort());

      assertThatThrownBy(() -> ApicurioRegistry.start(options))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("127.0.0.1:" + taken.getLocalPort())
          .hasMessageContaining("in use");
    }
  }

  @Test
  void shouldExplainWhenTheChosenRegistryJavaIsNotAJdk() {
    String previous = System.getProperty("lapse.registry.java.home");
    System.setProperty("lapse.registry.java.home", "/nonexistent/jdk");
    try {
      assertThatThrownBy(RegistryDistribution::resolve)
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("/nonexistent/jdk")
          .hasMessageContaining("not a JDK home");
    } finally {
      if (previous == null) {
        System.clearProperty("lapse.registry.java.home");
      } else {
        System.setProperty("lapse.registry.java.home", previous);
      }
    }
  }

  private static ServerSocket bindLoopback() throws Exception {
    ServerSocket socket = new ServerSocket();
    socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    return socket;
  }
}

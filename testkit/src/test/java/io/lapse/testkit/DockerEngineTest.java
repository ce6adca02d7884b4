package io.lapse.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link DockerEngine} against a fake engine on a unix socket: it answers what a real engine
 * answers to the few calls made, or hangs as an engine does while it retries an unreachable
 * registry.
 */
class DockerEngineTest {
  @TempDir Path dir;
  private FakeEngine fake;

  /** Answers by request line prefix; {@code null} means hang until closed. */
  private final class FakeEngine implements AutoCloseable {
    final Path socket = dir.resolve("docker.sock");
    final List<String> requests = new CopyOnWriteArrayList<>();
    final CountDownLatch closed = new CountDownLatch(1);
    private final ServerSocketChannel server;
    private final Thread thread;

    FakeEngine(Map<String, String> answers) throws IOException {
      server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
      server.bind(UnixDomainSocketAddress.of(socket));
      thread =
          new Thread(
              () -> {
                while (server.isOpen()) {
                  try (SocketChannel c = server.accept()) {
                    ByteBuffer in = ByteBuffer.allocate(4096);
                    c.read(in);
                    String head =
                        new String(in.array(), 0, in.position(), StandardCharsets.US_ASCII);
                    String line = head.substring(0, head.indexOf("\r\n"));
                    requests.add(line);
                    String answer =
                        answers.entrySet().stream()
                            .filter(e -> line.startsWith(e.getKey()))
                            .map(Map.Entry::getValue)
                            .findFirst()
                            .orElse("HTTP/1.1 404 Not Found\r\n\r\n{\"message\":\"no such\"}");
                    if (answer.equals("HANG")) {
                      c.write(
                          ByteBuffer.wrap(
                              "HTTP/1.1 200 OK\r\n\r\n{\"status\":\"Pulling\"}\n"
                                  .getBytes(StandardCharsets.US_ASCII)));
                      closed.await(); // a pull that never ends
                      continue;
                    }
                    c.write(ByteBuffer.wrap(answer.getBytes(StandardCharsets.US_ASCII)));
                  } catch (IOException | InterruptedException e) {
                    return;
                  }
                }
              },
              "fake-docker-engine");
      thread.setDaemon(true);
      thread.start();
    }

    DockerEngine client() {
      return new DockerEngine(DockerEngine.Endpoint.unix(socket));
    }

    @Override
    public void close() throws IOException {
      closed.countDown();
      server.close();
    }
  }

  @AfterEach
  void stop() throws IOException {
    if (fake != null) {
      fake.close();
    }
  }

  @Test
  void shouldGiveUpOnAPullThatHangsWithinItsBound() throws IOException {
    fake =
        new FakeEngine(
            Map.of(
                "GET /_ping", "HTTP/1.1 200 OK\r\n\r\nOK",
                "POST /images/create", "HANG"));
    DockerEngine engine = fake.client();

    assertThat(engine.answers(Duration.ofSeconds(2))).isTrue();
    boolean obtained =
        assertTimeoutPreemptively(
            Duration.ofSeconds(10),
            () -> engine.obtain("apache/kafka:4.4.0", Duration.ofSeconds(1)));

    assertThat(obtained).isFalse();
    assertThat(fake.requests)
        .containsExactly(
            "GET /_ping HTTP/1.1",
            "GET /images/apache/kafka:4.4.0/json HTTP/1.1",
            "POST /images/create?fromImage=apache%2Fkafka&tag=4.4.0 HTTP/1.1");
  }

  @Test
  void shouldTellAnEngineWithoutABridgeNetworkSoTheBrokerUsesTheHostNetwork() throws IOException {
    fake =
        new FakeEngine(Map.of("GET /networks/host", "HTTP/1.1 200 OK\r\n\r\n{\"Name\":\"host\"}"));
    DockerEngine engine = fake.client();

    // dockerd --bridge=none answers 404 for its missing bridge (the fake's default answer).
    assertThat(engine.hasNetwork("bridge", Duration.ofSeconds(2))).isFalse();
    assertThat(engine.hasNetwork("host", Duration.ofSeconds(2))).isTrue();
    assertThat(ContainerKafkaBroker.hostNetwork(null, false)).isTrue();
    assertThat(ContainerKafkaBroker.hostNetwork("", true)).isFalse();
    assertThat(ContainerKafkaBroker.hostNetwork("bridge", false)).isFalse();
    assertThat(ContainerKafkaBroker.hostNetwork(" HOST ", true)).isTrue();
    assertThatThrownBy(() -> ContainerKafkaBroker.hostNetwork("overlay", true))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("LAPSE_TEST_KAFKA_NETWORK");
  }

  @Test
  void shouldTakeAPresentImageAndRefuseAPullThatReportsAnError() throws IOException {
    fake =
        new FakeEngine(
            Map.of(
                "GET /images/lapse/kafka:local/json",
                    "HTTP/1.1 200 OK\r\n\r\n{\"Id\":\"sha256:1\"}",
                "POST /images/create",
                    "HTTP/1.1 200 OK\r\n\r\n{\"status\":\"Pulling\"}\n{\"error\":\"no network\"}\n"));
    DockerEngine engine = fake.client();

    assertThat(engine.obtain("lapse/kafka:local", Duration.ofSeconds(2))).isTrue();
    assertThat(engine.obtain("testcontainers/ryuk:0.14.0", Duration.ofSeconds(2))).isFalse();
  }

  @Test
  void shouldFindTheEngineFromDockerHostOrSayThereIsNone() throws IOException {
    fake = new FakeEngine(Map.of("GET /_ping", "HTTP/1.1 200 OK\r\n\r\nOK"));

    assertThat(DockerEngine.locate("unix://" + fake.socket, dir))
        .get()
        .satisfies(e -> assertThat(e.answers(Duration.ofSeconds(2))).isTrue());
    // Nothing listens on port 1: refused at once, no engine.
    assertThat(DockerEngine.locate("tcp://127.0.0.1:1", dir))
        .get()
        .satisfies(e -> assertThat(e.answers(Duration.ofSeconds(2))).isFalse());
    assertThat(DockerEngine.locate("ssh://somewhere", dir)).isEmpty();
  }
}

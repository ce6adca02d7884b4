package io.lapse.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.lapse.service.CredentialsFile;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./lapse reseal} against a stand-in for the running challenge service: it finds the system
 * through {@code .lapse/running.properties}, posts to {@code /v2/Lapse/Reseal} with the account's
 * credentials from {@code .lapse/credentials}, and says what the answer means. The route itself is
 * proven on the real system by {@code SecretKeyResealIT}.
 */
class ResealCommandTest {
  private static final String ACCOUNT = "AC" + "a".repeat(32);
  private static final String TOKEN = "t".repeat(32);

  @TempDir Path home;
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final List<String> requests = new CopyOnWriteArrayList<>();
  private PrintStream savedErr;
  private PrintStream savedOut;
  private HttpServer server;
  private volatile int status = 200;
  private volatile String body = "";

  @BeforeEach
  void start() throws IOException {
    savedErr = System.err;
    savedOut = System.out;
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext(
        "/",
        exchange -> {
          requests.add(
              exchange.getRequestMethod()
                  + " "
                  + exchange.getRequestURI().getPath()
                  + " "
                  + exchange.getRequestHeaders().getFirst("Authorization"));
          byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
          exchange.getResponseHeaders().add("Content-Type", "application/json");
          exchange.sendResponseHeaders(status, bytes.length);
          try (OutputStream o = exchange.getResponseBody()) {
            o.write(bytes);
          }
        });
    server.start();
    new RunningSystem(
            ProcessHandle.current().pid(),
            "http://127.0.0.1:" + server.getAddress().getPort(),
            "127.0.0.1:1",
            "http://127.0.0.1:1",
            "http://127.0.0.1:1")
        .write(home);
  }

  @AfterEach
  void stop() {
    server.stop(0);
    System.setErr(savedErr);
    System.setOut(savedOut);
  }

  private int reseal() {
    return Lapse.run(home, List.of("reseal"), Map.of());
  }

  private void storeCredentials() throws IOException {
    CredentialsFile.write(LocalSettings.credentialsFile(home), ACCOUNT, TOKEN);
  }

  @Test
  void shouldPostTheResealWithTheRunningSystemsCredentialsAndSayTheOldKeysMayGo()
      throws IOException {
    storeCredentials();
    body = "{\"key_id\":\"k-new\",\"resealed\":0,\"already_current\":3,\"failed\":0}";

    assertThat(reseal()).isEqualTo(0);

    String basic =
        Base64.getEncoder()
            .encodeToString((ACCOUNT + ":" + TOKEN).getBytes(StandardCharsets.UTF_8));
    assertThat(requests).containsExactly("POST /v2/Lapse/Reseal Basic " + basic);
    assertThat(out.toString(StandardCharsets.UTF_8))
        .contains("Re-sealed under key k-new: 0 re-sealed, 3 already under it, 0 failed")
        .contains("the previous keys can be removed");
  }

  @Test
  void shouldAskForAnotherRunWhileSeedsWereResealedAndFailWhenSomeCouldNotBe() throws IOException {
    storeCredentials();
    body = "{\"key_id\":\"k-new\",\"resealed\":2,\"already_current\":1,\"failed\":0}";
    assertThat(reseal()).isEqualTo(0);
    assertThat(out.toString(StandardCharsets.UTF_8)).contains("Run ./lapse reseal once more");

    body = "{\"key_id\":\"k-new\",\"resealed\":1,\"already_current\":1,\"failed\":1}";
    assertThat(reseal()).isEqualTo(1);
    assertThat(out.toString(StandardCharsets.UTF_8)).contains("keep the previous keys");
  }

  @Test
  void shouldSayInOneLineWhenTheServiceRefusesTheCredentials() throws IOException {
    storeCredentials();
    status = 401;
    body = "{\"code\":20003,\"message\":\"Authenticate\",\"status\":401}";

    assertThat(reseal()).isEqualTo(1);

    assertThat(err.toString(StandardCharsets.UTF_8).lines().toList())
        .containsExactly("lapse: the re-seal was refused: HTTP 401 (Authenticate)");
  }

  @Test
  void shouldSaySoWhenNoCredentialsAreKnown() {
    assertThat(reseal()).isEqualTo(1);

    assertThat(err.toString(StandardCharsets.UTF_8))
        .contains("no credentials in .lapse/credentials");
    assertThat(requests).isEmpty();
  }
}

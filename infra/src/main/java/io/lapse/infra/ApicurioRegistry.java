package io.lapse.infra;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Apicurio Registry's published app running as a child process bound to 127.0.0.1, serving the
 * Confluent-compatible API with global compatibility BACKWARD.
 *
 * <p>Responsibility: start the child with the right Java and flags, wait until {@code GET
 * <url>/subjects} answers 200, explain start failures (with the tail of the child's log), and
 * always stop the child: on {@link #close()}, from a JVM shutdown hook if close is never called,
 * and, when this JVM is killed with SIGKILL, through the {@link ChildGuard} it runs under.
 */
public final class ApicurioRegistry implements SchemaRegistry {

  private static final Logger LOG = LoggerFactory.getLogger(ApicurioRegistry.class);
  private static final String CCOMPAT_PATH = "/apis/ccompat/v7";
  private static final Duration STOP_GRACE = Duration.ofSeconds(10);
  private static final int START_ATTEMPTS = 2;
  private static final int LOG_TAIL_LINES = 40;

  private final Process process;
  private final String url;
  private final Path logFile;
  private final String version;
  private final Thread stopHook;
  private boolean closed;

  private ApicurioRegistry(Process process, String url, Path logFile, String version) {
    this.process = process;
    this.url = url;
    this.logFile = logFile;
    this.version = version;
    this.stopHook = new Thread(this::stopProcess, "lapse-registry-stop");
  }

  /**
   * Starts the registry and returns once it answers.
   *
   * @throws IllegalStateException when it cannot start; the message says what is missing or what
   *     went wrong and how to fix it
   */
  public static ApicurioRegistry start(RegistryOptions options) {
    if (options.port() != 0 && !FreePorts.isFree(options.port())) {
      throw new IllegalStateException(
          "Cannot start the schema registry on 127.0.0.1:"
              + options.port()
              + ": the port is in use (a registry still running? stop it or pick another port)");
    }
    RegistryDistribution distribution = RegistryDistribution.resolve();
    IllegalStateException last = null;
    for (int attempt = 1; attempt <= START_ATTEMPTS; attempt++) {
      try {
        return startOnce(options, distribution);
      } catch (PortClash clash) {
        // Free ports picked here can be taken before the child binds them: retry once.
        last = clash;
        if (options.port() != 0) {
          break;
        }
        LOG.warn("Schema registry port clash (attempt {}), retrying with new ports", attempt);
      }
    }
    throw last;
  }

  @Override
  public String url() {
    return url;
  }

  /** The Apicurio version running (3.3.x on a JDK ≥ 21, else 3.0.x). */
  public String version() {
    return version;
  }

  /** The file receiving the child's standard output and error. */
  public Path logFile() {
    return logFile;
  }

  /** The child's process id, e.g. to check it is gone after {@link #close()}. */
  public long pid() {
    return process.pid();
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    stopProcess();
    LOG.info("Schema registry at {} stopped (pid {})", url, process.pid());
    try {
      Runtime.getRuntime().removeShutdownHook(stopHook);
    } catch (IllegalStateException shuttingDown) {
      // Already running the hooks: the hook stops the child.
    }
  }

  private void stopProcess() {
    if (!process.isAlive()) {
      return;
    }
    process.destroy();
    try {
      if (!process.waitFor(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
        LOG.warn("Schema registry did not stop within {}, killing it", STOP_GRACE);
        // The guard's child first: killing the guard alone would leave the registry running.
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly().waitFor(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS);
      }
    } catch (InterruptedException e) {
      process.descendants().forEach(ProcessHandle::destroyForcibly);
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  private static ApicurioRegistry startOnce(
      RegistryOptions options, RegistryDistribution distribution) {
    int httpPort = options.port() != 0 ? options.port() : FreePorts.pick();
    int managementPort = FreePorts.pick(httpPort);
    Path logFile = logFile(options, httpPort);
    List<String> command = command(options, distribution, httpPort, managementPort);
    Process process;
    try {
      Files.createDirectories(logFile.getParent());
      if (options.dataDir() != null) {
        Files.createDirectories(options.dataDir());
      }
      process =
          new ProcessBuilder(guarded(command))
              .directory(
                  options.dataDir() != null
                      ? options.dataDir().toFile()
                      : distribution.home().toFile())
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
              .start();
    } catch (IOException e) {
      throw new IllegalStateException(
          "Cannot launch the schema registry (" + String.join(" ", command) + "): " + e, e);
    }
    String url = "http://127.0.0.1:" + httpPort + CCOMPAT_PATH;
    ApicurioRegistry registry = new ApicurioRegistry(process, url, logFile, distribution.version());
    Runtime.getRuntime().addShutdownHook(registry.stopHook);
    long started = System.nanoTime();
    try {
      registry.awaitReady(options.startTimeout());
    } catch (RuntimeException e) {
      registry.close();
      throw e;
    }
    LOG.info(
        "Schema registry (Apicurio {} on Java {}) ready at {} in {} ms; log: {}",
        distribution.version(),
        distribution.java().feature(),
        url,
        (System.nanoTime() - started) / 1_000_000,
        logFile);
    return registry;
  }

  private static List<String> command(
      RegistryOptions options, RegistryDistribution distribution, int httpPort, int mgmtPort) {
    List<String> command = new ArrayList<>();
    command.add(distribution.java().javaExecutable().toString());
    command.add("-Xmx384m");
    // Start-up matters more than peak throughput for a test or dev registry, and the machine has
    // two shared cores: C1 only and the serial collector brought readiness from 11-17 s to 3-6 s
    // under load here.
    command.add("-XX:TieredStopAtLevel=1");
    command.add("-XX:+UseSerialGC");
    command.add("-Dquarkus.http.host=127.0.0.1");
    command.add("-Dquarkus.http.port=" + httpPort);
    if (distribution.legacy()) {
      command.add("-Dquarkus.management.enabled=false");
    } else {
      // 3.3 opens a management (health) port on 0.0.0.0:9000 unless told otherwise.
      command.add("-Dquarkus.management.host=127.0.0.1");
      command.add("-Dquarkus.management.port=" + mgmtPort);
    }
    // Apicurio defaults to NONE; Confluent's registry (and production) to BACKWARD.
    command.add("-Dapicurio.rules.global.compatibility=BACKWARD");
    if (options.dataDir() != null) {
      Path db = options.dataDir().toAbsolutePath().resolve("registry");
      command.add("-Dapicurio.datasource.url=jdbc:h2:file:" + db + ";DB_CLOSE_ON_EXIT=FALSE");
    }
    command.add("-jar");
    command.add(distribution.runnableJar().toString());
    return command;
  }

  /**
   * The command run under a {@link ChildGuard} on this JVM's Java and class path, a small JVM that
   * ends the registry when this JVM is gone: the registry cannot watch its parent itself.
   */
  private static List<String> guarded(List<String> command) {
    List<String> guarded = new ArrayList<>();
    guarded.add(JavaRuntimes.current().javaExecutable().toString());
    guarded.add("-Xmx32m");
    guarded.add("-XX:TieredStopAtLevel=1");
    guarded.add("-XX:+UseSerialGC");
    guarded.add("-cp");
    guarded.add(System.getProperty("java.class.path"));
    guarded.add(ChildGuard.class.getName());
    guarded.addAll(command);
    return guarded;
  }

  private static Path logFile(RegistryOptions options, int port) {
    if (options.logFile() != null) {
      return options.logFile().toAbsolutePath();
    }
    if (options.dataDir() != null) {
      return options.dataDir().toAbsolutePath().resolve("registry.log");
    }
    Path target = Path.of("target");
    Path base =
        Files.isDirectory(target)
            ? target.resolve("lapse-registry")
            : Path.of(System.getProperty("java.io.tmpdir"), "lapse-registry");
    return base.toAbsolutePath().resolve("registry-" + port + ".log");
  }

  private void awaitReady(Duration timeout) {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    HttpRequest probe =
        HttpRequest.newBuilder(URI.create(url + "/subjects"))
            .timeout(Duration.ofSeconds(5))
            .build();
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      if (!process.isAlive()) {
        String tail = logTail();
        String reason =
            tail.contains("Port already bound") || tail.contains("Address already in use")
                ? "its port was taken"
                : tail.contains("UnsupportedClassVersionError")
                    ? "its Java is too old (Apicurio 3.2+ needs Java 21)"
                    : "it exited with code " + process.exitValue();
        String message = "Schema registry failed to start: " + reason + ". " + logHint(tail);
        if (reason.equals("its port was taken")) {
          throw new PortClash(message);
        }
        throw new IllegalStateException(message);
      }
      try {
        HttpResponse<Void> response = http.send(probe, HttpResponse.BodyHandlers.discarding());
        if (response.statusCode() == 200) {
          return;
        }
      } catch (ConnectException | java.net.http.HttpTimeoutException notYet) {
        // Still starting.
      } catch (IOException notYet) {
        // Connection reset while the server comes up.
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("Interrupted while waiting for the schema registry", e);
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            "Schema registry did not answer GET "
                + url
                + "/subjects within "
                + timeout.toSeconds()
                + " s (machine overloaded? raise RegistryOptions.startTimeout). "
                + logHint(logTail()));
      }
      try {
        // Polling interval of a readiness probe, not a stand-in for synchronisation.
        TimeUnit.MILLISECONDS.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("Interrupted while waiting for the schema registry", e);
      }
    }
  }

  private String logHint(String tail) {
    return "Log " + logFile + ", last lines:\n" + tail;
  }

  private String logTail() {
    try {
      List<String> lines = Files.readAllLines(logFile, StandardCharsets.UTF_8);
      return String.join(
          "\n", lines.subList(Math.max(0, lines.size() - LOG_TAIL_LINES), lines.size()));
    } catch (IOException | UncheckedIOException e) {
      return "(log unreadable: " + e.getMessage() + ")";
    }
  }

  /** The child could not bind its port. */
  private static final class PortClash extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    PortClash(String message) {
      super(message);
    }
  }
}

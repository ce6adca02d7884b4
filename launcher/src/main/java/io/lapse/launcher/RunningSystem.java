package io.lapse.launcher;

import io.lapse.service.CredentialsFile;
import java.io.IOException;
import java.io.Reader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Properties;

/**
 * Where the running {@code ./lapse up} listens, written to {@code .lapse/running.properties} once
 * everything is ready and removed when it stops. Every other subcommand ({@code events}, {@code
 * sdk-demo}, {@code timeline}, {@code status}) finds the system here rather than in the
 * environment, so a system started on other ports ({@code HTTP_PORT=28080 ./lapse up}) is found
 * from any shell, and a missing or dead one is answered with "not running" instead of connection
 * retries.
 *
 * <p>The file is stale when the launcher was killed with SIGKILL; the process id tells: a file
 * whose process is gone counts as "not running".
 *
 * @param pid the launcher's process id
 * @param api the challenge service's base URL
 * @param bootstrap Kafka's bootstrap servers
 * @param registry the registry's Confluent-compatible URL
 * @param processor the expiry processor's base URL ({@code /health}, {@code /metrics})
 */
record RunningSystem(long pid, String api, String bootstrap, String registry, String processor) {
  static final String FILE = "running.properties";

  /** Writes the file (owner-only: it sits beside the credentials). */
  void write(Path home) {
    Properties p = new Properties();
    p.setProperty("pid", Long.toString(pid));
    p.setProperty("api", api);
    p.setProperty("bootstrap", bootstrap);
    p.setProperty("registry", registry);
    p.setProperty("processor", processor);
    StringWriter text = new StringWriter();
    try {
      p.store(text, "written by ./lapse up while it runs; removed when it stops");
      CredentialsFile.writeOwnerOnly(home.resolve(FILE), text.toString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Removes the file if it is this process's own (a second launcher must not remove the first's).
   */
  static void remove(Path home, long pid) {
    Path file = home.resolve(FILE);
    try {
      if (read(file).map(r -> r.pid() == pid).orElse(false)) {
        Files.deleteIfExists(file);
      }
    } catch (IOException e) {
      // Stopping anyway; a stale file is recognised by its dead pid.
    }
  }

  /** The running system, if the file exists and its launcher is alive. */
  static Optional<RunningSystem> find(Path home) {
    try {
      return read(home.resolve(FILE)).filter(r -> alive(r.pid()));
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  /** The running system, or a one-line failure telling how to start it. */
  static RunningSystem require(Path home) {
    return find(home)
        .orElseThrow(
            () ->
                CliException.failed(
                    "Lapse is not running here (no live ./lapse up for "
                        + home.getParent()
                        + "); start it with ./lapse up"));
  }

  static Optional<RunningSystem> read(Path file) throws IOException {
    if (!Files.exists(file)) {
      return Optional.empty();
    }
    Properties p = new Properties();
    try (Reader in = Files.newBufferedReader(file)) {
      p.load(in);
    }
    try {
      return Optional.of(
          new RunningSystem(
              Long.parseLong(p.getProperty("pid", "")),
              required(p, "api"),
              required(p, "bootstrap"),
              required(p, "registry"),
              required(p, "processor")));
    } catch (IllegalArgumentException e) {
      return Optional.empty(); // half-written or edited by hand: not a running system
    }
  }

  private static String required(Properties p, String key) {
    String v = p.getProperty(key);
    if (v == null || v.isBlank()) {
      throw new IllegalArgumentException(key);
    }
    return v;
  }

  private static boolean alive(long pid) {
    return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
  }
}

package io.lapse.expiry.fleet;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The expiry processor's {@code Main} in a child JVM (by default on this JVM's class path), so that
 * it can be killed with SIGKILL as an operator's {@code kill -9} would: the fleet and crash tests
 * and {@code ./lapse soak} start, kill and restart processors through this one class.
 *
 * <p>Responsibility: launch the child with a given environment, send its output to a log file, read
 * its health port from that log, and kill (SIGKILL) or stop (SIGTERM) it. The child does not watch
 * its parent: whoever starts one closes it (a shutdown hook, a {@code finally}).
 */
public final class ChildProcessor implements AutoCloseable {
  private static final Pattern STARTED =
      Pattern.compile("health and metrics on http://[^:]+:(\\d+)/");
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private final Process process;
  private final Path log;

  private ChildProcessor(Process process, Path log) {
    this.process = process;
    this.log = log;
  }

  /** A child on this JVM's class path, logging to {@code target/child-NAME-….log}. */
  public static ChildProcessor start(Map<String, String> env, String name) {
    return start(env, name, System.getProperty("java.class.path"));
  }

  /** As {@link #start(Map, String)}, on another class path (e.g. another build, to compare). */
  public static ChildProcessor start(Map<String, String> env, String name, String classPath) {
    return start(env, name, classPath, Path.of("target"));
  }

  /**
   * A child on {@code classPath} with {@code env} added to this JVM's environment, its output
   * appended to {@code logDir/child-NAME-<nanos>.log}.
   */
  public static ChildProcessor start(
      Map<String, String> env, String name, String classPath, Path logDir) {
    try {
      Path log = logDir.resolve("child-" + name + "-" + System.nanoTime() + ".log");
      Files.createDirectories(logDir);
      String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
      ProcessBuilder pb =
          new ProcessBuilder(
              List.of(
                  java,
                  "-Xmx512m",
                  "-Dorg.apache.avro.SERIALIZABLE_PACKAGES=io.lapse.events.v1,io.lapse.state.v1",
                  "-cp",
                  classPath,
                  "io.lapse.expiry.Main"));
      pb.environment().putAll(env);
      pb.redirectErrorStream(true).redirectOutput(log.toFile());
      return new ChildProcessor(pb.start(), log);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The health port the child logged once started, if it has. */
  public Integer httpPort() {
    try {
      if (!Files.exists(log)) {
        return null;
      }
      Matcher m = STARTED.matcher(Files.readString(log));
      return m.find() ? Integer.valueOf(m.group(1)) : null;
    } catch (IOException e) {
      return null;
    }
  }

  /** Whether the child is alive and its {@code /health} answers 200 (its streams are RUNNING). */
  public boolean healthy() {
    Integer port = httpPort();
    if (port == null || !process.isAlive()) {
      return false;
    }
    try {
      return HTTP.send(
                  HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health"))
                      .timeout(Duration.ofSeconds(5))
                      .build(),
                  HttpResponse.BodyHandlers.discarding())
              .statusCode()
          == 200;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  public long pid() {
    return process.pid();
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  public Path log() {
    return log;
  }

  /** SIGKILL: no shutdown hook, no clean close, no final commit. */
  public void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor();
  }

  /** SIGTERM, then wait for the clean shutdown. */
  public int terminate(Duration bound) throws InterruptedException {
    process.destroy();
    if (!process.waitFor(bound.toMillis(), TimeUnit.MILLISECONDS)) {
      process.destroyForcibly().waitFor();
      return -1;
    }
    return process.exitValue();
  }

  /** Kills the child if it still runs; an interrupted wait leaves the interrupt flag set. */
  @Override
  public void close() {
    if (process.isAlive()) {
      try {
        kill();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}

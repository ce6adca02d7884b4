package io.lapse.expiry.harness;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The expiry processor's {@code Main} in a child JVM (the test JVM's class path), so a test can
 * kill it with SIGKILL as an operator's {@code kill -9} would. Output goes to a log file in {@code
 * target/}.
 */
public final class ChildProcessor implements AutoCloseable {
  private static final Pattern STARTED =
      Pattern.compile("health and metrics on http://[^:]+:(\\d+)/");
  private final Process process;
  private final Path log;

  private ChildProcessor(Process process, Path log) {
    this.process = process;
    this.log = log;
  }

  public static ChildProcessor start(Map<String, String> env, String name) {
    return start(env, name, System.getProperty("java.class.path"));
  }

  /** As {@link #start(Map, String)}, on another class path (e.g. another build, to compare). */
  public static ChildProcessor start(Map<String, String> env, String name, String classPath) {
    try {
      Path log = Path.of("target", "child-" + name + "-" + System.nanoTime() + ".log");
      Files.createDirectories(log.getParent());
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
    if (!process.waitFor(bound.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)) {
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

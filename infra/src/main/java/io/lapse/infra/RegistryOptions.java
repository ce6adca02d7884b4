package io.lapse.infra;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * How to start the Apicurio registry child process.
 *
 * <p>Responsibility: carry start-up choices from tests and the launcher to {@link
 * ApicurioRegistry}; defaults suit tests.
 *
 * @param port HTTP port on 127.0.0.1; 0 picks a free port
 * @param dataDir where the registry keeps its H2 database; {@code null} means in memory (empty on
 *     every start)
 * @param logFile where the child's output goes; {@code null} means {@code registry.log} in {@code
 *     dataDir}, else under {@code target/lapse-registry/} when the working directory has a {@code
 *     target/}, else in the temp folder
 * @param startTimeout how long to wait for the registry to answer
 */
public record RegistryOptions(int port, Path dataDir, Path logFile, Duration startTimeout) {

  public RegistryOptions {
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port must be 0..65535: " + port);
    }
    Objects.requireNonNull(startTimeout, "startTimeout");
  }

  /**
   * Free port, in-memory storage, 60 s start timeout (system property {@value
   * #START_TIMEOUT_PROPERTY} changes it, e.g. on a slow CI machine).
   */
  public static RegistryOptions defaults() {
    return new RegistryOptions(0, null, null, defaultStartTimeout());
  }

  /** System property: seconds to wait for the registry to answer. */
  public static final String START_TIMEOUT_PROPERTY = "lapse.registry.start.timeout.seconds";

  private static Duration defaultStartTimeout() {
    return Duration.ofSeconds(Long.getLong(START_TIMEOUT_PROPERTY, 60));
  }

  /**
   * A registry for local runs: fixed port, subjects kept in {@code dataDir} across restarts.
   *
   * @param port e.g. 8081
   * @param dataDir created if absent
   */
  public static RegistryOptions persistent(int port, Path dataDir) {
    return new RegistryOptions(
        port, Objects.requireNonNull(dataDir, "dataDir"), null, defaultStartTimeout());
  }

  public RegistryOptions withPort(int newPort) {
    return new RegistryOptions(newPort, dataDir, logFile, startTimeout);
  }

  public RegistryOptions withDataDir(Path dir) {
    return new RegistryOptions(port, dir, logFile, startTimeout);
  }

  public RegistryOptions withLogFile(Path file) {
    return new RegistryOptions(port, dataDir, file, startTimeout);
  }

  public RegistryOptions withStartTimeout(Duration timeout) {
    return new RegistryOptions(port, dataDir, logFile, timeout);
  }
}

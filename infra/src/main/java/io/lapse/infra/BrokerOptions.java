package io.lapse.infra;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * How to start a broker: listener port, data directory, topic defaults and raw broker overrides.
 *
 * <p>Responsibility: carry start-up choices from tests and the launcher to {@link
 * InProcessKafkaBroker}; it holds no logic beyond defaults.
 *
 * @param port the PLAINTEXT listener port on 127.0.0.1; 0 picks a free port
 * @param dataDir where the broker keeps its logs and metadata; {@code null} means a fresh temporary
 *     directory
 * @param deleteDataDirOnClose whether {@code close()} deletes {@code dataDir} (always true for a
 *     temporary directory)
 * @param defaultPartitions {@code num.partitions} for auto-created topics
 * @param overrides broker properties that win over the computed ones (in-process broker only)
 */
public record BrokerOptions(
    int port,
    Path dataDir,
    boolean deleteDataDirOnClose,
    int defaultPartitions,
    Map<String, String> overrides) {

  /** The defaults used by tests: ephemeral port, temporary data deleted on close, 6 partitions. */
  public static final int DEFAULT_PARTITIONS = 6;

  public BrokerOptions {
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port must be 0..65535: " + port);
    }
    if (defaultPartitions < 1) {
      throw new IllegalArgumentException("defaultPartitions must be >= 1: " + defaultPartitions);
    }
    overrides = Map.copyOf(Objects.requireNonNull(overrides, "overrides"));
  }

  /** Ephemeral port, temporary data directory deleted on close, 6 partitions, no overrides. */
  public static BrokerOptions defaults() {
    return new BrokerOptions(0, null, true, DEFAULT_PARTITIONS, Map.of());
  }

  /**
   * A broker for local runs: a fixed port and a data directory that survives restarts.
   *
   * @param port e.g. 9092
   * @param dataDir created if absent; formatted on first use only
   */
  public static BrokerOptions persistent(int port, Path dataDir) {
    return new BrokerOptions(
        port, Objects.requireNonNull(dataDir, "dataDir"), false, DEFAULT_PARTITIONS, Map.of());
  }

  public BrokerOptions withPort(int newPort) {
    return new BrokerOptions(newPort, dataDir, deleteDataDirOnClose, defaultPartitions, overrides);
  }

  public BrokerOptions withDataDir(Path dir, boolean deleteOnClose) {
    return new BrokerOptions(port, dir, deleteOnClose, defaultPartitions, overrides);
  }

  public BrokerOptions withDefaultPartitions(int partitions) {
    return new BrokerOptions(port, dataDir, deleteDataDirOnClose, partitions, overrides);
  }

  /** Adds or replaces one raw broker property (in-process broker only). */
  public BrokerOptions withOverride(String key, String value) {
    Map<String, String> merged = new LinkedHashMap<>(overrides);
    merged.put(key, value);
    return new BrokerOptions(port, dataDir, deleteDataDirOnClose, defaultPartitions, merged);
  }
}

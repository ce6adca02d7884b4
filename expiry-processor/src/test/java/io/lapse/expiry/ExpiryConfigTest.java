package io.lapse.expiry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lapse.expiry.ExpirySettings.MacMode;
import io.lapse.expiry.ExpirySettings.TickAlignment;
import io.lapse.expiry.harness.TestKeys;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;

class ExpiryConfigTest {
  /** The one variable without a default. */
  private static final Map<String, String> KEYS =
      Map.of("LAPSE_RESPONSE_MAC_KEYS", TestKeys.MAC_KEYS_ENV);

  private static Map<String, String> withKeys(String name, String value) {
    Map<String, String> env = new HashMap<>(KEYS);
    env.put(name, value);
    return env;
  }

  @Test
  void shouldUseTheDeclaredDefaultsForTheTopology() {
    ExpiryConfig c = ExpiryConfig.fromEnv(KEYS);
    assertThat(c.settings()).isEqualTo(ExpirySettings.defaults());
    assertThat(c.settings().punctuationInterval()).isEqualTo(Duration.ofMillis(10));
    assertThat(c.settings().tickTimeBudget()).isEqualTo(Duration.ofMillis(40));
    assertThat(c.settings().tickMaxCount()).isEqualTo(20_000);
    assertThat(c.settings().terminalRetention()).isEqualTo(Duration.ofMinutes(65));
    assertThat(c.settings().unknownGrace()).isEqualTo(Duration.ofSeconds(10));
    assertThat(c.settings().maxFailedAttempts()).isEqualTo(5);
    assertThat(c.settings().commitRequestQuietGap()).isEqualTo(Duration.ofMillis(5));
    assertThat(c.settings().tickAlignment()).isEqualTo(TickAlignment.GRID);
    assertThat(c.settings().attemptClockSkew()).isEqualTo(Duration.ofSeconds(5));
    assertThat(c.settings().attemptMaxDelay()).isEqualTo(Duration.ofSeconds(30));
    assertThat(c.settings().attemptMac()).isEqualTo(MacMode.ENFORCE);
  }

  @Test
  void shouldRefuseToStartWithoutMacKeys() {
    assertThatThrownBy(() -> ExpiryConfig.fromEnv(Map.of()))
        .hasMessageContaining("LAPSE_RESPONSE_MAC_KEYS");
    assertThat(ExpiryConfig.fromEnv(KEYS).responseMacKeys().ids()).containsExactly(TestKeys.KEY_ID);
  }

  @Test
  void shouldUseTheDeclaredDefaultsForTheStreamsClient() {
    ExpiryConfig c = ExpiryConfig.fromEnv(KEYS);
    assertThat(c.applicationId()).isEqualTo("lapse-expiry-processor");
    assertThat(c.stateDir()).isEqualTo(Path.of(System.getProperty("user.home"), ".lapse", "state"));
    assertThat(c.httpHost()).isEqualTo("127.0.0.1");
    assertThat(c.httpPort()).isEqualTo(8091);
    assertThat(c.commitInterval()).isEqualTo(Duration.ofMillis(20));
    assertThat(c.pollInterval()).isEqualTo(Duration.ofMillis(5));
    assertThat(c.producerLingerMs()).isZero();
    assertThat(c.numStandbyReplicas()).isZero();
    assertThat(c.numStreamThreads()).isEqualTo(2);
    assertThat(c.processingGuarantee()).isEqualTo(StreamsConfig.EXACTLY_ONCE_V2);
    assertThat(c.transactionalStateStores()).isTrue();
    assertThat(c.streamsOverrides()).isEmpty();
  }

  @Test
  void shouldReadEveryVariable() {
    Map<String, String> env = new HashMap<>(KEYS);
    env.put("LAPSE_EXPIRY_APPLICATION_ID", "app");
    env.put("LAPSE_STATE_DIR", "/tmp/state");
    env.put("LAPSE_EXPIRY_HTTP_HOST", "0.0.0.0");
    env.put("LAPSE_EXPIRY_HTTP_PORT", "0");
    env.put("LAPSE_EXPIRY_PUNCTUATION_INTERVAL_MS", "50");
    env.put("LAPSE_EXPIRY_TICK_ALIGNMENT", "DUE");
    env.put("LAPSE_EXPIRY_TICK_BUDGET_MS", "7");
    env.put("LAPSE_EXPIRY_TICK_MAX_COUNT", "9");
    env.put("LAPSE_EXPIRY_TERMINAL_RETENTION_MS", "60000");
    env.put("LAPSE_EXPIRY_UNKNOWN_GRACE_MS", "0");
    env.put("LAPSE_EXPIRY_MAX_FAILED_ATTEMPTS", "3");
    env.put("LAPSE_EXPIRY_ATTEMPT_CLOCK_SKEW_MS", "250");
    env.put("LAPSE_EXPIRY_ATTEMPT_MAX_DELAY_MS", "1000");
    env.put("LAPSE_EXPIRY_ATTEMPT_MAC", "log");
    env.put("LAPSE_EXPIRY_COMMIT_REQUEST_QUIET_GAP_MS", "0");
    env.put("LAPSE_EXPIRY_COMMIT_INTERVAL_MS", "100");
    env.put("LAPSE_EXPIRY_POLL_MS", "1");
    env.put("LAPSE_EXPIRY_PRODUCER_LINGER_MS", "2");
    env.put("LAPSE_EXPIRY_NUM_STANDBY_REPLICAS", "1");
    env.put("LAPSE_EXPIRY_NUM_STREAM_THREADS", "4");
    env.put("LAPSE_EXPIRY_PROCESSING_GUARANTEE", "at_least_once");
    env.put("LAPSE_EXPIRY_TRANSACTIONAL_STATE_STORES", "false");
    env.put("STREAMS_PROPERTY_MAX_POLL_RECORDS", "500");
    ExpiryConfig c = ExpiryConfig.fromEnv(env);

    assertThat(c.settings())
        .isEqualTo(
            new ExpirySettings(
                Duration.ofMillis(50),
                Duration.ofMillis(7),
                9,
                Duration.ofMinutes(1),
                Duration.ZERO,
                3,
                Duration.ZERO,
                TickAlignment.DUE,
                Duration.ofMillis(250),
                Duration.ofSeconds(1),
                MacMode.LOG));
    Properties p = c.streamsProperties(new ExpiryMetrics(new SimpleMeterRegistry()));
    assertThat(p)
        .containsEntry(StreamsConfig.APPLICATION_ID_CONFIG, "app")
        .containsEntry(StreamsConfig.STATE_DIR_CONFIG, Path.of("/tmp/state").toString())
        .containsEntry(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 100L)
        .containsEntry(StreamsConfig.POLL_MS_CONFIG, 1L)
        .containsEntry(StreamsConfig.producerPrefix(ProducerConfig.LINGER_MS_CONFIG), 2)
        .containsEntry(StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG, 1)
        .containsEntry(StreamsConfig.NUM_STREAM_THREADS_CONFIG, 4)
        .containsEntry(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, "at_least_once")
        .containsEntry(StreamsConfig.TRANSACTIONAL_STATE_STORES_CONFIG, false)
        .containsEntry("max.poll.records", "500");
    assertThat(c.httpHost()).isEqualTo("0.0.0.0");
    assertThat(c.httpPort()).isZero();
  }

  @Test
  void shouldGiveInternalTopicsTheConfiguredDurabilityAndAlwaysWaitForAllInSyncReplicas() {
    Properties p =
        ExpiryConfig.fromEnv(withKeys("LAPSE_REPLICATION_FACTOR", "3"))
            .streamsProperties(new ExpiryMetrics(new SimpleMeterRegistry()));

    assertThat(p)
        .containsEntry(StreamsConfig.REPLICATION_FACTOR_CONFIG, 3)
        .containsEntry(StreamsConfig.topicPrefix(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG), "2")
        .containsEntry(StreamsConfig.producerPrefix(ProducerConfig.ACKS_CONFIG), "all");
  }

  @Test
  void shouldRejectInvalidValuesNamingTheVariable() {
    assertThatThrownBy(() -> ExpiryConfig.fromEnv(withKeys("LAPSE_EXPIRY_TICK_ALIGNMENT", "edge")))
        .hasMessage("LAPSE_EXPIRY_TICK_ALIGNMENT must be one of grid, due, got \"edge\"");
    assertThatThrownBy(() -> ExpiryConfig.fromEnv(withKeys("LAPSE_EXPIRY_HTTP_PORT", "65536")))
        .hasMessage("LAPSE_EXPIRY_HTTP_PORT must be between 0 and 65535, got 65536");
    assertThatThrownBy(
            () -> ExpiryConfig.fromEnv(withKeys("LAPSE_EXPIRY_PUNCTUATION_INTERVAL_MS", "0")))
        .hasMessage("LAPSE_EXPIRY_PUNCTUATION_INTERVAL_MS must be positive, got 0");
    assertThatThrownBy(
            () ->
                ExpiryConfig.fromEnv(withKeys("LAPSE_EXPIRY_PROCESSING_GUARANTEE", "exactly_once")))
        .hasMessage(
            "LAPSE_EXPIRY_PROCESSING_GUARANTEE must be one of exactly_once_v2, at_least_once,"
                + " got exactly_once");
    assertThatThrownBy(
            () -> ExpiryConfig.fromEnv(withKeys("LAPSE_EXPIRY_TRANSACTIONAL_STATE_STORES", "yes")))
        .hasMessage("LAPSE_EXPIRY_TRANSACTIONAL_STATE_STORES must be true or false, got \"yes\"");
  }

  @Test
  void shouldHoldProgrammaticSettingsToTheSameRulesAsParsedOnes() {
    assertThatThrownBy(() -> ExpirySettings.defaults().withTickBudget(Duration.ofMillis(10), 0))
        .hasMessage("LAPSE_EXPIRY_TICK_MAX_COUNT must be at least 1, got 0");
    assertThatThrownBy(() -> ExpirySettings.defaults().withTerminalRetention(Duration.ZERO))
        .hasMessage("LAPSE_EXPIRY_TERMINAL_RETENTION_MS must be positive, got 0");
    assertThatThrownBy(() -> ExpirySettings.defaults().withTickAlignment(null))
        .hasMessage("LAPSE_EXPIRY_TICK_ALIGNMENT must be set");
  }

  @Test
  void shouldLogTheEffectiveConfigurationWithCredentialsMasked() {
    ExpiryConfig c =
        ExpiryConfig.fromEnv(
            Map.of(
                "SCHEMA_REGISTRY_URL", "https://u:reg-pass@registry",
                "STREAMS_PROPERTY_SASL_JAAS_CONFIG", "jaas-pass",
                "STREAMS_PROPERTY_MAX_POLL_RECORDS", "500",
                "LAPSE_RESPONSE_MAC_KEYS", TestKeys.MAC_KEYS_ENV));
    assertThat(c.toString())
        .contains(
            "KAFKA_BOOTSTRAP_SERVERS=127.0.0.1:9092",
            "LAPSE_EXPIRY_APPLICATION_ID=lapse-expiry-processor",
            "LAPSE_EXPIRY_TICK_ALIGNMENT=grid",
            "LAPSE_EXPIRY_UNKNOWN_GRACE_MS=10000",
            "STREAMS_PROPERTY_MAX_POLL_RECORDS=500",
            "STREAMS_PROPERTY_SASL_JAAS_CONFIG=****",
            "LAPSE_RESPONSE_MAC_KEYS=****")
        .doesNotContain("reg-pass", "jaas-pass", TestKeys.MAC_KEYS_ENV.substring(8));
  }
}

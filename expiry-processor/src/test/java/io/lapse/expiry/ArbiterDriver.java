package io.lapse.expiry;

import io.lapse.events.v1.AttemptOutcome;
import io.lapse.events.v1.ChallengeCreated;
import io.lapse.events.v1.ChallengeExpired;
import io.lapse.events.v1.VerificationAttempted;
import io.lapse.expiry.harness.TestKeys;
import io.lapse.serde.MockSchemaRegistry;
import io.lapse.topics.LapseTopics;
import io.lapse.topics.TopicNames;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.test.TestRecord;

/**
 * A TopologyTestDriver around {@link ExpiryTopology} with a mock registry, typed inputs and outputs
 * and a hand-driven wall clock: one per test, closed by the test. Attempts are signed with {@link
 * TestKeys} as the challenge service signs them, unless a test pipes one as it is.
 */
final class ArbiterDriver implements AutoCloseable {
  static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  private final String scope = "expiry-" + UUID.randomUUID();
  private final TopologyTestDriver driver;
  private final TestInputTopic<String, ChallengeCreated> created;
  private final TestInputTopic<String, VerificationAttempted> responses;
  private final TestInputTopic<byte[], byte[]> rawCreated;
  private final TestOutputTopic<String, SpecificRecord> outcomes;
  private final TestOutputTopic<String, ChallengeExpired> expired;
  private final TestOutputTopic<byte[], byte[]> createdDlq;
  private final TestOutputTopic<String, VerificationAttempted> responsesDlq;
  private final TestOutputTopic<byte[], byte[]> metaChangelog;
  private final ExpiryMetrics metrics = new ExpiryMetrics(new SimpleMeterRegistry());
  private final TopicNames names = TopicNames.defaults();

  ArbiterDriver() {
    this(ExpirySettings.defaults());
  }

  ArbiterDriver(ExpirySettings settings) {
    LapseTopics topics =
        LapseTopics.create(names, Map.of("schema.registry.url", "mock://" + scope));
    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, "expiry-test");
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:1");
    props.put(
        StreamsConfig.STATE_DIR_CONFIG,
        Path.of("target", "ttd-state", scope).toAbsolutePath().toString());
    props.put(
        StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG,
        DeadLetterHandler.class.getName());
    props.put(DeadLetterHandler.METRICS_CONFIG, metrics);
    driver =
        new TopologyTestDriver(
            ExpiryTopology.build(topics, settings, TestKeys.MAC_KEYS, metrics), props, T0);
    created =
        driver.createInputTopic(
            names.challengeCreated(),
            topics.challengeCreated().keySerializer(),
            topics.challengeCreated().valueSerializer());
    responses =
        driver.createInputTopic(
            names.challengeResponses(),
            topics.challengeResponses().keySerializer(),
            topics.challengeResponses().valueSerializer());
    rawCreated =
        driver.createInputTopic(
            names.challengeCreated(), new ByteArraySerializer(), new ByteArraySerializer());
    outcomes =
        driver.createOutputTopic(
            names.challengeOutcomes(),
            topics.challengeOutcomes().keyDeserializer(),
            topics.challengeOutcomes().valueDeserializer());
    expired =
        driver.createOutputTopic(
            names.challengeExpired(),
            topics.challengeExpired().keyDeserializer(),
            topics.challengeExpired().valueDeserializer());
    createdDlq =
        driver.createOutputTopic(
            TopicNames.deadLetter(names.challengeCreated()),
            new ByteArrayDeserializer(),
            new ByteArrayDeserializer());
    responsesDlq =
        driver.createOutputTopic(
            TopicNames.deadLetter(names.challengeResponses()),
            topics.challengeResponses().keyDeserializer(),
            topics.challengeResponses().valueDeserializer());
    metaChangelog =
        driver.createOutputTopic(
            "expiry-test-" + ExpiryTopology.Names.DEFAULT.metaStore() + "-changelog",
            new ByteArrayDeserializer(),
            new ByteArrayDeserializer());
  }

  /** The driver's wall clock now. */
  Instant now() {
    return T0.plusMillis(elapsedMs);
  }

  private long elapsedMs;

  /** Moves the wall clock forward and runs at most one due punctuation. */
  void advance(Duration d) {
    elapsedMs += d.toMillis();
    driver.advanceWallClockTime(d);
  }

  /** Moves the wall clock to {@code at} in one step. */
  void advanceTo(Instant at) {
    advance(Duration.ofMillis(at.toEpochMilli() - now().toEpochMilli()));
  }

  void create(String sid, Instant expirationDate) {
    created.pipeInput(sid, TestKeys.signed(challenge(sid, expirationDate)), now());
  }

  /** Pipes a create exactly as given (signed or not) under {@code key}. */
  void pipeCreate(String key, ChallengeCreated create) {
    created.pipeInput(key, create, now());
  }

  void attempt(String sid, String attemptId, Instant attemptAt, AttemptOutcome outcome) {
    responses.pipeInput(sid, TestKeys.signed(attemptOf(sid, attemptId, attemptAt, outcome)), now());
  }

  /**
   * Pipes an attempt exactly as given (signed or not) under {@code key}, appended by the broker at
   * {@code brokerTime} (the record timestamp, the topic being {@code LogAppendTime}).
   */
  void pipeAttempt(String key, VerificationAttempted attempt, Instant brokerTime) {
    responses.pipeInput(key, attempt, brokerTime);
  }

  void attempt(String sid, String attemptId, AttemptOutcome outcome) {
    attempt(sid, attemptId, now(), outcome);
  }

  void pipeRawCreated(byte[] key, byte[] value) {
    rawCreated.pipeInput(key, value, now());
  }

  List<ChallengeExpired> expired() {
    return expired.readValuesToList();
  }

  List<SpecificRecord> outcomes() {
    return outcomes.readValuesToList();
  }

  List<TestRecord<byte[], byte[]>> createdDeadLetters() {
    return createdDlq.readRecordsToList();
  }

  /** What went to {@code challenge-responses-dlq} since the last call, headers included. */
  List<TestRecord<String, VerificationAttempted>> responsesDeadLetters() {
    return responsesDlq.readRecordsToList();
  }

  KeyValueStore<String, Long> metaStore() {
    return driver.getKeyValueStore(ExpiryTopology.Names.DEFAULT.metaStore());
  }

  KeyValueStore<String, Object> challengeStore() {
    return driver.getKeyValueStore(ExpiryTopology.Names.DEFAULT.challengeStore());
  }

  KeyValueStore<Object, Object> indexStore() {
    return driver.getKeyValueStore(ExpiryTopology.Names.DEFAULT.indexStore());
  }

  ExpiryMetrics metrics() {
    return metrics;
  }

  /** Punctuations (expiry ticks) run so far. */
  long ticks() {
    return metrics.tickTotals()[0];
  }

  /** Records the meta store has written to its changelog since the last call. */
  List<TestRecord<byte[], byte[]>> metaChangelog() {
    return metaChangelog.readRecordsToList();
  }

  static ChallengeCreated challenge(String sid, Instant expirationDate) {
    Instant created = expirationDate.minus(Duration.ofMinutes(5));
    return ChallengeCreated.newBuilder()
        .setSid(sid)
        .setAccountSid("AC00000000000000000000000000000001")
        .setServiceSid("VA00000000000000000000000000000001")
        .setEntitySid("YE00000000000000000000000000000001")
        .setIdentity("user-1")
        .setFactorSid("YF00000000000000000000000000000001")
        .setFactorType("push")
        .setCreatedAt(created)
        .setExpirationDate(expirationDate)
        .build();
  }

  static VerificationAttempted attemptOf(
      String sid, String attemptId, Instant attemptAt, AttemptOutcome outcome) {
    return VerificationAttempted.newBuilder()
        .setSid(sid)
        .setServiceSid("VA00000000000000000000000000000001")
        .setIdentity("user-1")
        .setFactorSid("YF00000000000000000000000000000001")
        .setAttemptId(attemptId)
        .setAttemptAt(attemptAt)
        .setOutcome(outcome)
        .setMetadata(Map.of("os", "Android"))
        .build();
  }

  @Override
  public void close() {
    driver.close();
    MockSchemaRegistry.dropScope(scope);
  }
}

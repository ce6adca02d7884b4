package io.lapse.expiry.harness;

import io.lapse.events.v1.AttemptOutcome;
import io.lapse.events.v1.ChallengeCreated;
import io.lapse.events.v1.VerificationAttempted;
import io.lapse.topics.LapseTopics;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Produces ChallengeCreated and VerificationAttempted events as the challenge service would
 * (idempotent producer, acks=all, keyed by challenge SID, attempts signed with {@link TestKeys}).
 */
public final class ChallengeFeed implements AutoCloseable {
  private final LapseTopics topics;
  private final KafkaProducer<String, ChallengeCreated> created;
  private final KafkaProducer<String, VerificationAttempted> responses;

  public ChallengeFeed(String bootstrap, LapseTopics topics) {
    this.topics = topics;
    Map<String, Object> config = new HashMap<>();
    config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    config.put(ProducerConfig.ACKS_CONFIG, "all");
    config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    config.put(ProducerConfig.LINGER_MS_CONFIG, 2);
    config.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
    created =
        new KafkaProducer<>(
            config,
            topics.challengeCreated().keySerializer(),
            topics.challengeCreated().valueSerializer());
    responses =
        new KafkaProducer<>(
            config,
            topics.challengeResponses().keySerializer(),
            topics.challengeResponses().valueSerializer());
  }

  public void create(String sid, Instant expirationDate) {
    created.send(
        new ProducerRecord<>(
            topics.names().challengeCreated(),
            sid,
            TestKeys.signed(challenge(sid, expirationDate))));
  }

  /** Publishes a create exactly as given (signed or not) under {@code key}. */
  public void send(String key, ChallengeCreated create) {
    created.send(new ProducerRecord<>(topics.names().challengeCreated(), key, create));
  }

  public void attempt(String sid, String attemptId, AttemptOutcome outcome) {
    responses.send(
        new ProducerRecord<>(
            topics.names().challengeResponses(),
            sid,
            TestKeys.signed(
                VerificationAttempted.newBuilder()
                    .setSid(sid)
                    .setServiceSid("VA00000000000000000000000000000001")
                    .setIdentity("bench-user")
                    .setFactorSid("YF00000000000000000000000000000001")
                    .setAttemptId(attemptId)
                    .setAttemptAt(Instant.now())
                    .setOutcome(outcome)
                    .build())));
  }

  public void flush() {
    created.flush();
    responses.flush();
  }

  /** A challenge of the size the service writes (a push challenge with a message and fields). */
  public static ChallengeCreated challenge(String sid, Instant expirationDate) {
    return ChallengeCreated.newBuilder()
        .setSid(sid)
        .setAccountSid("AC00000000000000000000000000000001")
        .setServiceSid("VA00000000000000000000000000000001")
        .setEntitySid("YE00000000000000000000000000000001")
        .setIdentity("bench-user")
        .setFactorSid("YF00000000000000000000000000000001")
        .setFactorType("push")
        .setCreatedAt(Instant.now())
        .setExpirationDate(expirationDate)
        .setDetailsMessage("Login request")
        .build();
  }

  /** A challenge SID: YC followed by 32 hex digits. */
  public static String sid(String run, long n) {
    String hex = Long.toHexString(n);
    String body = run + "0".repeat(Math.max(0, 32 - run.length() - hex.length())) + hex;
    return "YC" + body.substring(0, 32);
  }

  @Override
  public void close() {
    created.close();
    responses.close();
  }
}

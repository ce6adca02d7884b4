package io.lapse.example;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.lapse.contract.AttemptMacKeys;
import io.lapse.example.audit.ExpiryAudit;
import io.lapse.example.publisher.ChallengePublisher;
import io.lapse.expiry.ExpiryConfig;
import io.lapse.expiry.ExpiryProcessorApp;
import io.lapse.infra.KafkaBroker;
import io.lapse.infra.SchemaRegistry;
import io.lapse.testkit.KafkaHelpers;
import io.lapse.testkit.LapseIntegration;
import io.lapse.topics.TopicNames;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The two example microservices, built only on the contract artifact, against Lapse's expiry
 * processor on a real broker and registry: challenges one publishes from its own code expire at
 * their deadline, and the other audits each expiry exactly once, read {@code read_committed}.
 */
@LapseIntegration
class ExampleServicesIT {
  private static final Pattern LINE =
      Pattern.compile(
          "expired sid=(YC[0-9a-f]{32}) service=\\S+ identity=\\S+ factor=\\S+ due=(\\S+)"
              + " expired_at=(\\S+) seen_late_ms=(-?\\d+)");

  private final Map<String, String> env = new HashMap<>();
  private final String bootstrap;
  private final String registryUrl;
  private final String publisherKey;
  private ExpiryProcessorApp processor;
  private ExpiryAudit audit;

  ExampleServicesIT(KafkaBroker broker, SchemaRegistry registry) {
    bootstrap = broker.bootstrapServers();
    registryUrl = registry.url();
    String id = KafkaHelpers.uniqueName("examples");
    byte[] macKey = new byte[32];
    new SecureRandom().nextBytes(macKey);
    env.put("KAFKA_BOOTSTRAP_SERVERS", bootstrap);
    env.put("SCHEMA_REGISTRY_URL", registryUrl);
    env.put("LAPSE_PARTITIONS", "3");
    env.put("LAPSE_TOPIC_PREFIX", id + ".");
    env.put("LAPSE_RESPONSE_MAC_KEYS", "ex1:" + Base64.getEncoder().encodeToString(macKey));
    // The publisher's own challenge key, listed by the processor beside the challenge service's
    // (which is the response key here): it can create challenges, never answer one.
    byte[] challengeKey = new byte[32];
    new SecureRandom().nextBytes(challengeKey);
    publisherKey = "pub1:" + Base64.getEncoder().encodeToString(challengeKey);
    env.put(
        "LAPSE_CHALLENGE_MAC_KEYS",
        "ex1:" + Base64.getEncoder().encodeToString(macKey) + "," + publisherKey);
    env.put("LAPSE_EXPIRY_APPLICATION_ID", id + "-expiry");
    env.put("LAPSE_EXPIRY_HTTP_PORT", "0");
    // Tests start many processors: no warm-up rehearsal (ExpiryWarmUpIT covers it).
    env.put("LAPSE_EXPIRY_WARM_UP_MS", "0");
    env.put("LAPSE_STATE_DIR", Path.of("target", "it-state", id).toAbsolutePath().toString());
  }

  @AfterEach
  void stop() {
    if (audit != null) {
      audit.close();
    }
    if (processor != null) {
      processor.close();
    }
  }

  @Test
  void publishedChallengesShouldExpireAndBeAuditedOnceEachNeverEarly() throws Exception {
    processor = ExpiryProcessorApp.start(ExpiryConfig.fromEnv(env));
    TopicNames topics = TopicNames.fromEnv(env);
    Path auditFile = Files.createTempFile(Path.of("target"), "expiries", ".log");
    audit =
        new ExpiryAudit(
            new ExpiryAudit.Settings(
                bootstrap,
                registryUrl,
                topics,
                env.get("LAPSE_EXPIRY_APPLICATION_ID") + "-audit",
                auditFile));
    Thread loop = new Thread(audit, "expiry-audit");
    loop.start();

    List<String> published = new ArrayList<>();
    try (ChallengePublisher publisher =
        new ChallengePublisher(
            bootstrap, registryUrl, topics, AttemptMacKeys.parse(publisherKey))) {
      for (int i = 0; i < 20; i++) {
        published.add(
            publisher.publish(
                "AC" + "a".repeat(32),
                "VA" + "b".repeat(32),
                "user-" + i,
                "YF" + "c".repeat(32),
                Instant.now().plusMillis(2_000 + 100L * i)));
      }
    }

    await()
        .atMost(Duration.ofSeconds(90))
        .until(() -> Files.readAllLines(auditFile).size() >= published.size());
    List<String> lines = Files.readAllLines(auditFile);
    List<String> audited = new ArrayList<>();
    List<Long> late = new ArrayList<>();
    for (String line : lines) {
      Matcher m = LINE.matcher(line);
      assertThat(m.matches()).as(line).isTrue();
      audited.add(m.group(1));
      assertThat(Instant.parse(m.group(3)))
          .as("never early: %s", line)
          .isAfterOrEqualTo(Instant.parse(m.group(2)));
      late.add(Long.parseLong(m.group(4)));
    }
    assertThat(audited).containsExactlyInAnyOrderElementsOf(published);
    late.sort(null);
    System.out.printf(
        "example services: %d challenges published, %d audited once each; seen late p50 %d ms,"
            + " max %d ms%n",
        published.size(), audited.size(), late.get(late.size() / 2), late.get(late.size() - 1));
  }
}

package io.lapse.topics;

import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The names of Lapse's topics. Defaults are those of {@code docs/architecture.md} ("Topics"); each
 * can be overridden (e.g. to add an environment prefix) from the environment, see {@link #fromEnv}.
 */
public record TopicNames(
    String challengeCreated,
    String challengeResponses,
    String challengeOutcomes,
    String challengeExpired,
    String challengeNotifications,
    String services,
    String entities,
    String factors,
    String commands,
    String replies,
    String webhooks,
    String factorEvents,
    String webhookDeliveriesDlq) {

  /** Suffix of the dead-letter topic of any input topic. */
  public static final String DLQ_SUFFIX = "-dlq";

  public static TopicNames defaults() {
    return new TopicNames(
        "challenge-created",
        "challenge-responses",
        "challenge-outcomes",
        "challenge-expired",
        "challenge-notifications",
        "lapse-services",
        "lapse-entities",
        "lapse-factors",
        "lapse-commands",
        "lapse-replies",
        "lapse-webhooks",
        "lapse-factor-events",
        "lapse-webhook-deliveries-dlq");
  }

  /**
   * Reads {@code LAPSE_TOPIC_PREFIX} (prepended to every name) and per-topic overrides such as
   * {@code LAPSE_TOPIC_CHALLENGE_CREATED}.
   */
  public static TopicNames fromEnv(Map<String, String> env) {
    String prefix = env.getOrDefault("LAPSE_TOPIC_PREFIX", "");
    TopicNames d = defaults();
    Function<String, String> name =
        dflt -> {
          String key = "LAPSE_TOPIC_" + dflt.toUpperCase(java.util.Locale.ROOT).replace('-', '_');
          return env.getOrDefault(key, prefix + dflt);
        };
    return new TopicNames(
        name.apply(d.challengeCreated),
        name.apply(d.challengeResponses),
        name.apply(d.challengeOutcomes),
        name.apply(d.challengeExpired),
        name.apply(d.challengeNotifications),
        name.apply(d.services),
        name.apply(d.entities),
        name.apply(d.factors),
        name.apply(d.commands),
        name.apply(d.replies),
        name.apply(d.webhooks),
        name.apply(d.factorEvents),
        name.apply(d.webhookDeliveriesDlq));
  }

  /** The co-partitioned challenge topics: all keyed by challenge SID, one partition count. */
  public List<String> challengeTopics() {
    return List.of(
        challengeCreated,
        challengeResponses,
        challengeOutcomes,
        challengeExpired,
        challengeNotifications);
  }

  /** The compacted snapshot topics (webhooks included: docs/decisions/0018-webhooks.md). */
  public List<String> stateTopics() {
    return List.of(services, entities, factors, webhooks);
  }

  /**
   * The challenge service's command topics: {@code lapse-commands} (keyed by entity key, decided by
   * the service's entity tasks) and {@code lapse-replies}; they take the challenge topics'
   * partition count (docs/decisions/0008-single-writers-on-the-log.md).
   */
  public List<String> commandTopics() {
    return List.of(commands, replies);
  }

  /** The dead-letter topic for an input topic. */
  public static String deadLetter(String topic) {
    return topic + DLQ_SUFFIX;
  }
}

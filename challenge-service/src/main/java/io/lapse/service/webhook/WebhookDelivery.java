package io.lapse.service.webhook;

import io.lapse.service.domain.Catalog;
import io.lapse.service.domain.ChallengeView;
import io.lapse.service.domain.Webhooks;
import io.lapse.topics.KafkaConnection;
import io.lapse.topics.LapseTopics;
import io.lapse.topics.Topic;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import org.apache.kafka.common.TopicPartition;

/**
 * This instance's webhook delivery: the running {@link WebhookDispatcher}, and a way to replace it
 * (a dispatcher that {@link #crash}es and is {@link #restart}ed behaves as a killed and restarted
 * instance does, for the group and for the receivers).
 */
public final class WebhookDelivery implements AutoCloseable {
  private final WebhookDispatcher.Counters counters;
  private final Supplier<WebhookDispatcher> factory;
  private volatile WebhookDispatcher current;

  private WebhookDelivery(
      WebhookDispatcher.Counters counters, Supplier<WebhookDispatcher> factory) {
    this.counters = counters;
    this.factory = factory;
  }

  /**
   * Starts delivering the event topics' events to the webhooks this instance knows.
   *
   * @param authToken the account's auth token: the key of every {@code X-Twilio-Signature}
   * @param timeout the bound of one attempt, connection and answer included
   */
  public static WebhookDelivery start(
      KafkaConnection kafka,
      WebhookDispatcher.Settings settings,
      String accountSid,
      String authToken,
      Duration timeout,
      Webhooks webhooks,
      ChallengeView view,
      Catalog catalog) {
    LapseTopics topics = kafka.topics();
    List<Topic<String, ?>> sources =
        List.of(topics.factorEvents(), topics.challengeOutcomes(), topics.challengeExpired());
    EventResolver resolver = new EventResolver(accountSid, view, catalog, settings.lookupBound());
    WebhookSender sender = new WebhookSender(new TwilioSignature(authToken), timeout);
    String dlq = kafka.topicNames().webhookDeliveriesDlq();
    WebhookDispatcher.Counters counters = new WebhookDispatcher.Counters();
    return new WebhookDelivery(
            counters,
            () ->
                new WebhookDispatcher(
                    kafka, sources, dlq, settings, webhooks, resolver, sender, counters))
        .restart();
  }

  /** Starts a dispatcher if none runs. */
  public synchronized WebhookDelivery restart() {
    if (current == null) {
      current = factory.get().start();
    }
    return this;
  }

  /**
   * Stops the dispatcher as a crash would: a delivery in flight is cut off, nothing more is
   * committed, and the group is not told (it hands the partitions over once the session times out).
   * For tests and drills.
   */
  public synchronized void crash() {
    if (current != null) {
      current.halt();
      current = null;
    }
  }

  /** True while a dispatcher runs without a fatal error. */
  public boolean healthy() {
    WebhookDispatcher d = current;
    return d != null && d.healthy();
  }

  /** The partitions this instance delivers now. */
  public Set<TopicPartition> partitions() {
    WebhookDispatcher d = current;
    return d == null ? Set.of() : d.partitions();
  }

  public WebhookDispatcher.Counters counters() {
    return counters;
  }

  @Override
  public synchronized void close() {
    if (current != null) {
      current.close();
      current = null;
    }
  }
}

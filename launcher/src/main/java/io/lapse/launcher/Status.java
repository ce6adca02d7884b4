package io.lapse.launcher;

import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.GroupListing;
import org.apache.kafka.clients.admin.ListGroupsOptions;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * {@code ./lapse status}: what an operator looks at first. Health of both services, challenges
 * pending, expiry lateness (the processor's recent p50/p99/max, from its {@code /metrics}), the lag
 * of every consumer group (committed offsets against the {@code read_committed} end offsets), and
 * the number of records in each dead-letter topic. {@code --watch N} prints it again every N
 * seconds until the system stops or Ctrl-C.
 */
final class Status {
  private static final Duration TIMEOUT = Duration.ofSeconds(5);
  private static final String LATENESS = "lapse_expiry_lateness_seconds";
  private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss");

  /** One consumer group's lag. */
  record GroupLag(String group, String state, int members, long lag) {}

  /** Everything the report shows, gathered once. */
  record Report(
      String apiHealth,
      String processorHealth,
      OptionalDouble pending,
      NavigableMap<Double, Double> lateness,
      OptionalDouble latenessMax,
      List<GroupLag> groups,
      Map<String, Long> deadLetters) {}

  private Status() {}

  static int run(RunningSystem system, Duration watch, BooleanSupplier running, PrintStream out)
      throws InterruptedException {
    HttpClient http = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();
    try (Admin admin = admin(system.bootstrap())) {
      NavigableMap<Double, Double> before = new TreeMap<>();
      while (true) {
        Report report = gather(system, http, admin);
        print(system, report, before, out);
        before = report.lateness();
        if (watch == null) {
          return 0;
        }
        TimeUnit.MILLISECONDS.sleep(watch.toMillis()); // the refresh interval the user asked for
        if (!running.getAsBoolean()) {
          out.println("Lapse stopped.");
          return 0;
        }
        out.println();
      }
    }
  }

  static Report gather(RunningSystem system, HttpClient http, Admin admin) {
    String apiHealth = health(http, system.api() + "/health");
    String processorHealth = health(http, system.processor() + "/health");
    PrometheusText metrics =
        fetch(http, system.processor() + "/metrics")
            .map(PrometheusText::parse)
            .orElse(PrometheusText.parse(""));
    return new Report(
        apiHealth,
        processorHealth,
        metrics.sum("lapse_expiry_pending"),
        metrics.buckets(LATENESS),
        millis(metrics.value(LATENESS + "_max", Map.of())),
        groups(admin),
        deadLetters(admin, system.bootstrap()));
  }

  /**
   * Prints the report; lateness quantiles are those of the expiries since {@code before} (the
   * previous report's buckets: the interval of {@code --watch}), or since start the first time.
   */
  static void print(
      RunningSystem system, Report r, NavigableMap<Double, Double> before, PrintStream out) {
    out.printf(
        "Lapse status at %s UTC (API %s, Kafka %s)%n",
        LocalTime.now(ZoneOffset.UTC).format(CLOCK), system.api(), system.bootstrap());
    out.printf(
        "  health        challenge service %s, expiry processor %s%n",
        r.apiHealth(), r.processorHealth());
    out.printf("  pending       %s challenges waiting for their deadline%n", count(r.pending()));
    NavigableMap<Double, Double> window = PrometheusText.minus(r.lateness(), before);
    double expiries = window.isEmpty() ? 0 : window.lastEntry().getValue();
    out.printf(
        "  lateness      p50 %s, p99 %s over %.0f expiries %s; max %s (recent)%n",
        ms(atMost(millis(PrometheusText.quantile(window, 0.5)), r.latenessMax())),
        ms(atMost(millis(PrometheusText.quantile(window, 0.99)), r.latenessMax())),
        expiries,
        before.isEmpty() ? "since start" : "since the last report",
        ms(r.latenessMax()));
    out.println("  consumer lag  (read_committed end offset − committed offset)");
    if (r.groups().isEmpty()) {
      out.println("    no consumer group yet");
    }
    for (GroupLag g : r.groups()) {
      out.printf(
          "    %-34s %-11s %2d member%s  lag %d%n",
          g.group(), g.state(), g.members(), g.members() == 1 ? " " : "s", g.lag());
    }
    long total = r.deadLetters().values().stream().mapToLong(Long::longValue).sum();
    List<String> nonEmpty = new ArrayList<>();
    r.deadLetters()
        .forEach(
            (topic, n) -> {
              if (n > 0) {
                nonEmpty.add(topic + " " + n);
              }
            });
    out.printf(
        "  dead letters  %d in %d dead-letter topics%s%n",
        total,
        r.deadLetters().size(),
        nonEmpty.isEmpty() ? "" : ": " + String.join(", ", nonEmpty));
  }

  private static List<GroupLag> groups(Admin admin) {
    try {
      List<String> ids =
          admin.listGroups(ListGroupsOptions.forConsumerGroups()).all().get().stream()
              .map(GroupListing::groupId)
              .sorted()
              .toList();
      if (ids.isEmpty()) {
        return List.of();
      }
      Map<String, ConsumerGroupDescription> described =
          admin.describeConsumerGroups(ids).all().get();
      Map<String, Map<TopicPartition, OffsetAndMetadata>> committed = new HashMap<>();
      Set<TopicPartition> all = new java.util.HashSet<>();
      for (String id : ids) {
        Map<TopicPartition, OffsetAndMetadata> offsets =
            admin.listConsumerGroupOffsets(id).partitionsToOffsetAndMetadata().get();
        committed.put(id, offsets);
        all.addAll(offsets.keySet());
      }
      Map<TopicPartition, Long> end = endOffsets(admin, all);
      List<GroupLag> result = new ArrayList<>();
      for (String id : ids) {
        long lag = 0;
        for (var e : committed.get(id).entrySet()) {
          if (e.getValue() != null && end.containsKey(e.getKey())) {
            lag += Math.max(0, end.get(e.getKey()) - e.getValue().offset());
          }
        }
        ConsumerGroupDescription d = described.get(id);
        result.add(
            new GroupLag(
                id,
                d == null ? "?" : String.valueOf(d.groupState()),
                d == null ? 0 : d.members().size(),
                lag));
      }
      return result;
    } catch (ExecutionException e) {
      throw CliException.failed("Kafka did not answer: " + e.getCause().getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return List.of();
    }
  }

  /**
   * Records in each dead-letter topic, counted by reading them ({@code read_committed}): offsets
   * alone over-count, since a transactional writer's commit markers take offsets too.
   */
  private static Map<String, Long> deadLetters(Admin admin, String bootstrap) {
    try {
      List<String> dlqs =
          admin.listTopics().names().get().stream()
              .filter(t -> t.endsWith(io.lapse.topics.TopicNames.DLQ_SUFFIX))
              .sorted()
              .toList();
      Map<String, TopicDescription> topics = admin.describeTopics(dlqs).allTopicNames().get();
      List<TopicPartition> partitions = new ArrayList<>();
      topics.forEach(
          (name, d) ->
              d.partitions().forEach(p -> partitions.add(new TopicPartition(name, p.partition()))));
      Map<String, Long> counts = new TreeMap<>();
      dlqs.forEach(t -> counts.put(t, 0L));
      if (partitions.isEmpty()) {
        return counts;
      }
      Properties p = new Properties();
      p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
      p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
      p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
      p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000);
      try (KafkaConsumer<byte[], byte[]> consumer =
          new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        Map<TopicPartition, Long> end = consumer.endOffsets(partitions, TIMEOUT);
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (!end.entrySet().stream()
            .allMatch(e -> consumer.position(e.getKey(), TIMEOUT) >= e.getValue())) {
          if (System.nanoTime() > deadline) {
            break; // a huge dead-letter topic: show what was counted so far
          }
          for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(100))) {
            counts.merge(r.topic(), 1L, Long::sum);
          }
        }
      }
      return counts;
    } catch (ExecutionException e) {
      throw CliException.failed("Kafka did not answer: " + e.getCause().getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Map.of();
    }
  }

  private static Map<TopicPartition, Long> endOffsets(Admin admin, Set<TopicPartition> partitions)
      throws ExecutionException, InterruptedException {
    return offsets(admin, partitions, OffsetSpec.latest());
  }

  private static Map<TopicPartition, Long> offsets(
      Admin admin, Set<TopicPartition> partitions, OffsetSpec spec)
      throws ExecutionException, InterruptedException {
    if (partitions.isEmpty()) {
      return Map.of();
    }
    Map<TopicPartition, OffsetSpec> request = new HashMap<>();
    partitions.forEach(tp -> request.put(tp, spec));
    Map<TopicPartition, ListOffsetsResultInfo> answer =
        admin
            .listOffsets(request, new ListOffsetsOptions(IsolationLevel.READ_COMMITTED))
            .all()
            .get();
    Map<TopicPartition, Long> result = new HashMap<>();
    answer.forEach((tp, info) -> result.put(tp, info.offset()));
    return result;
  }

  private static String health(HttpClient http, String url) {
    return get(http, url)
        .map(r -> r.statusCode() == 200 ? "UP" : "DOWN (" + r.statusCode() + ")")
        .orElse("unreachable");
  }

  private static Optional<String> fetch(HttpClient http, String url) {
    return get(http, url).filter(r -> r.statusCode() == 200).map(HttpResponse::body);
  }

  /** One bounded GET; empty when nothing answered. */
  private static Optional<HttpResponse<String>> get(HttpClient http, String url) {
    try {
      return Optional.of(
          http.send(
              HttpRequest.newBuilder(URI.create(url)).timeout(TIMEOUT).GET().build(),
              HttpResponse.BodyHandlers.ofString()));
    } catch (java.io.IOException e) {
      return Optional.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    }
  }

  private static OptionalDouble millis(OptionalDouble seconds) {
    return seconds.isPresent() ? OptionalDouble.of(seconds.getAsDouble() * 1000) : seconds;
  }

  /**
   * A quantile interpolated inside its bucket can exceed every value seen; the recent max bounds it
   * when the max is known.
   */
  static OptionalDouble atMost(OptionalDouble quantile, OptionalDouble max) {
    if (quantile.isPresent() && max.isPresent() && max.getAsDouble() > 0) {
      return OptionalDouble.of(Math.min(quantile.getAsDouble(), max.getAsDouble()));
    }
    return quantile;
  }

  private static String ms(OptionalDouble v) {
    return v.isPresent() && !Double.isNaN(v.getAsDouble())
        ? String.format("%.0f ms", v.getAsDouble())
        : "n/a";
  }

  private static String count(OptionalDouble v) {
    return v.isPresent() ? String.format("%.0f", v.getAsDouble()) : "n/a";
  }

  private static Admin admin(String bootstrap) {
    Properties p = new Properties();
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) TIMEOUT.toMillis());
    p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) TIMEOUT.toMillis() * 2);
    return Admin.create(p);
  }
}

package io.lapse.launcher.soak;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.utils.Utils;

/**
 * What the soak prints when challenges were lost, to tell a stalled task from a lost record: the
 * lost challenges per partition (Kafka's default partitioner on the SID), and per partition of
 * {@code challenge-created} how far the processors' group has committed against the log end.
 */
final class SoakDiagnosis {
  private SoakDiagnosis() {}

  static void print(
      PrintStream out,
      String bootstrap,
      String groupId,
      String createdTopic,
      int partitions,
      List<String> lostSids) {
    Map<Integer, Long> lostByPartition =
        lostSids.stream()
            .collect(
                Collectors.groupingBy(
                    sid -> partition(sid, partitions), TreeMap::new, Collectors.counting()));
    out.println("soak: lost challenges per partition: " + lostByPartition);
    try (Admin admin =
        Admin.create(
            Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                bootstrap,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG,
                30_000))) {
      Map<TopicPartition, OffsetAndMetadata> committed =
          admin
              .listConsumerGroupOffsets(groupId)
              .partitionsToOffsetAndMetadata()
              .get(30, TimeUnit.SECONDS);
      Set<TopicPartition> created =
          java.util.stream.IntStream.range(0, partitions)
              .mapToObj(p -> new TopicPartition(createdTopic, p))
              .collect(Collectors.toSet());
      Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> ends =
          admin
              .listOffsets(
                  created.stream().collect(Collectors.toMap(p -> p, p -> OffsetSpec.latest())))
              .all()
              .get(30, TimeUnit.SECONDS);
      StringBuilder line = new StringBuilder("soak: " + createdTopic + " committed/end:");
      for (int p = 0; p < partitions; p++) {
        TopicPartition tp = new TopicPartition(createdTopic, p);
        OffsetAndMetadata c = committed.get(tp);
        line.append(' ')
            .append(p)
            .append('=')
            .append(c == null ? "none" : String.valueOf(c.offset()))
            .append('/')
            .append(ends.get(tp).offset());
      }
      out.println(line);
    } catch (Exception e) {
      out.println("soak: could not read the processors' offsets: " + e);
    }
  }

  /** The partition Kafka's default partitioner gives a string key. */
  static int partition(String key, int partitions) {
    return Utils.toPositive(Utils.murmur2(key.getBytes(StandardCharsets.UTF_8))) % partitions;
  }
}

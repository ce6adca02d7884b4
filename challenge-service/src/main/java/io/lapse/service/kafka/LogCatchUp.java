package io.lapse.service.kafka;

import io.lapse.service.domain.CatchUp;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link CatchUp} on Kafka: asks the brokers for the end of every partition the read model's
 * followers read, then waits (bounded) until each follower has applied everything before it.
 *
 * <p>The end asked for is the high watermark, not the last stable offset. A write is acknowledged
 * once its reply is read {@code read_committed}; the coordinator writes the transaction's commit
 * markers to each partition separately, so for a moment the reply's marker can be there and the
 * marker after the resource's record not yet, when the LSO still stands before the record. The high
 * watermark is past the record already, and a {@code read_committed} follower only gets past it
 * once the transactions before it are decided, so reaching it means the record was applied. The
 * price: a partition with a transaction open at the call (another writer's) is waited for until
 * that transaction ends, a Streams commit interval at most in normal operation.
 */
public final class LogCatchUp implements CatchUp, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(LogCatchUp.class);

  private final Admin admin;
  private final List<Follower> followers;
  private final Duration bound;
  private final AtomicLong timedOut = new AtomicLong();

  public LogCatchUp(Admin admin, List<Follower> followers, Duration bound) {
    this.admin = admin;
    this.followers = List.copyOf(followers);
    this.bound = bound;
  }

  @Override
  public CompletableFuture<Void> catchUp() {
    Map<TopicPartition, OffsetSpec> ends = new HashMap<>();
    followers.forEach(f -> f.partitions().forEach(tp -> ends.put(tp, OffsetSpec.latest())));
    return admin
        .listOffsets(ends, new ListOffsetsOptions(IsolationLevel.READ_UNCOMMITTED))
        .all()
        .toCompletionStage()
        .toCompletableFuture()
        .thenCompose(this::reachAll)
        .orTimeout(bound.toMillis(), TimeUnit.MILLISECONDS)
        .handle(
            (v, error) -> {
              if (error != null) {
                timedOut.incrementAndGet();
                LOG.debug("Catch-up with the log did not finish within {}: {}", bound, error);
              }
              return null;
            });
  }

  private CompletableFuture<Void> reachAll(Map<TopicPartition, ListOffsetsResultInfo> ends) {
    CompletableFuture<?>[] all = new CompletableFuture<?>[followers.size()];
    for (int i = 0; i < all.length; i++) {
      Follower f = followers.get(i);
      Map<TopicPartition, Long> own = new HashMap<>();
      f.partitions()
          .forEach(
              tp -> {
                ListOffsetsResultInfo end = ends.get(tp);
                if (end != null) {
                  own.put(tp, end.offset());
                }
              });
      all[i] = f.reach(own, bound);
    }
    return CompletableFuture.allOf(all);
  }

  /** Catch-ups that ran into the bound (or could not ask the brokers) since start. */
  public long timedOut() {
    return timedOut.get();
  }

  @Override
  public void close() {
    admin.close(Duration.ofSeconds(2));
  }
}

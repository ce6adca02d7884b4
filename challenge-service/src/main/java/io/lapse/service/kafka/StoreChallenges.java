package io.lapse.service.kafka;

import io.lapse.commands.v1.ChallengeRecord;
import io.lapse.service.decision.EntityState;
import io.lapse.service.domain.ChallengeStatus;
import io.lapse.service.domain.ChallengeStore;
import io.lapse.service.domain.SortKey;
import io.lapse.service.domain.ViewedChallenge;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * {@link ChallengeStore} on this instance's entity tasks: {@code challenge-records} and {@code
 * challenge-order} by interactive query, only where this instance runs the entity's active task
 * ({@link EntityStreams#ownedStore}); settlements awaited as their replies on {@code lapse-replies}
 * ({@link KafkaCommandBus}). The tasks start after the domain is wired, so they are attached later;
 * until then every read is {@link ChallengeStore.Lookup#UNAVAILABLE}.
 */
public final class StoreChallenges implements ChallengeStore {
  private final AtomicReference<EntityStreams> tasks = new AtomicReference<>();
  private final KafkaCommandBus commands;

  public StoreChallenges(KafkaCommandBus commands) {
    this.commands = commands;
  }

  /** From now on, reads go to these tasks' stores. */
  public void attach(EntityStreams entityTasks) {
    tasks.set(entityTasks);
  }

  @Override
  public Lookup get(String serviceSid, String identity, String sid) {
    String entityKey = EntityState.entityKey(serviceSid, identity);
    Optional<ReadOnlyKeyValueStore<String, ChallengeRecord>> store =
        owned(EntityTopology.Names.DEFAULT.challengeStore(), entityKey);
    if (store.isEmpty()) {
      return Lookup.UNAVAILABLE;
    }
    try {
      return Lookup.of(
          Optional.ofNullable(store.get().get(ChallengeRecords.key(entityKey, sid)))
              .map(StoreChallenges::viewed));
    } catch (InvalidStateStoreException e) {
      return Lookup.UNAVAILABLE; // the task moved or closed between the lookup and the read
    }
  }

  @Override
  public Optional<List<Listed>> entries(String serviceSid, String identity) {
    String entityKey = EntityState.entityKey(serviceSid, identity);
    Optional<ReadOnlyKeyValueStore<Bytes, byte[]>> store =
        owned(EntityTopology.Names.DEFAULT.orderStore(), entityKey);
    if (store.isEmpty()) {
      return Optional.empty();
    }
    byte[] prefix = ChallengeOrder.prefix(entityKey);
    List<Listed> listed = new ArrayList<>();
    try (KeyValueIterator<Bytes, byte[]> it =
        store.get().prefixScan(Bytes.wrap(prefix), Serdes.Bytes().serializer())) {
      while (it.hasNext()) {
        var kv = it.next();
        byte[] key = kv.key.get();
        ChallengeOrder.Entry e = ChallengeOrder.entry(kv.value);
        listed.add(
            new Listed(
                new SortKey(
                    ChallengeOrder.createdAtOf(key, prefix.length),
                    ChallengeOrder.sidOf(key, prefix.length)),
                e.factorSid(),
                status(e.status()),
                e.expirationDate()));
      }
    } catch (InvalidStateStoreException e) {
      return Optional.empty();
    }
    return Optional.of(listed);
  }

  @Override
  public CompletableFuture<?> awaitSettled(String attemptId, Duration timeout) {
    return commands.awaitReply(EntityOwner.settledRequestId(attemptId), timeout);
  }

  private <K, V> Optional<ReadOnlyKeyValueStore<K, V>> owned(String store, String entityKey) {
    EntityStreams t = tasks.get();
    return t == null ? Optional.empty() : t.ownedStore(store, entityKey);
  }

  /** The record as the API renders it: the same shape {@code ChallengeView} keeps. */
  static ViewedChallenge viewed(ChallengeRecord r) {
    return new ViewedChallenge(
        r.getCreated(),
        status(r.getStatus()),
        r.getRespondedAt(),
        r.getUpdatedAt(),
        r.getMetadata(),
        r.getDecidedAttemptId(),
        Set.copyOf(r.getNotificationSids()));
  }

  private static ChallengeStatus status(String stored) {
    return ChallengeStatus.fromWire(stored)
        .orElseThrow(() -> new IllegalStateException("unknown stored status " + stored));
  }
}

package io.lapse.service.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.lapse.commands.v1.CreateEntity;
import io.lapse.commands.v1.SettleChallenge;
import io.lapse.contract.AttemptMacKeys;
import io.lapse.service.support.TestMacKeys;
import io.lapse.streams.CommitPacer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Which decided commands ask for their commit at once (decision 0025): a command after a quiet
 * spell does, so a lone request is answered without waiting for the commit interval; commands
 * written back to back do not, so a burst shares one transaction.
 */
class EntityOwnerCommitTest {
  private static final long QUIET_MS = 5;
  private static final long T0 = Instant.parse("2026-05-01T12:00:00Z").toEpochMilli();
  private static final String SERVICE = "VA" + "2".repeat(32);

  private final MockProcessorContext<String, SpecificRecord> context = new MockProcessorContext<>();
  private final AttemptMacKeys macKeys = TestMacKeys.newKeys();
  private final CommitPacer pacer = new CommitPacer(QUIET_MS);
  private EntityOwner owner;
  private int next;

  @BeforeEach
  void setUp() {
    EntityTopology.Names n = EntityTopology.Names.DEFAULT;
    addStore(n.entityStore(), StoreSerde.entityRecords());
    addStore(n.factorStore(), StoreSerde.factorRecords());
    addStore(n.serviceStore(), StoreSerde.serviceRecords());
    addStore(n.challengeStore(), StoreSerde.challengeRecords());
    KeyValueStore<Bytes, byte[]> index =
        Stores.keyValueStoreBuilder(
                Stores.inMemoryKeyValueStore(n.timeIndexStore()),
                Serdes.Bytes(),
                Serdes.ByteArray())
            .withLoggingDisabled()
            .build();
    index.init(context.getStateStoreContext(), index);
    context.addStateStore(index);
    KeyValueStore<Bytes, byte[]> order =
        Stores.keyValueStoreBuilder(
                Stores.inMemoryKeyValueStore(n.orderStore()), Serdes.Bytes(), Serdes.ByteArray())
            .withLoggingDisabled()
            .build();
    order.init(context.getStateStoreContext(), order);
    context.addStateStore(order);
    owner =
        new EntityOwner(
            n,
            new EntityDecisionCounts(new SimpleMeterRegistry()),
            macKeys,
            TestMacKeys.newKeys(),
            () -> pacer,
            Duration.ofDays(1));
    owner.init(context);
  }

  private <V> void addStore(String name, Serde<V> values) {
    KeyValueStore<String, V> store =
        Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(name), Serdes.String(), values)
            .withLoggingDisabled()
            .build();
    store.init(context.getStateStoreContext(), store);
    context.addStateStore(store);
  }

  /** Decides a new entity's creation written at {@code time}; whether it requested a commit. */
  private boolean decideAt(long time) {
    context.resetCommit();
    String identity = "user-" + next++;
    CreateEntity command =
        CreateEntity.newBuilder()
            .setRequestId("r-" + identity)
            .setIssuedAt(Instant.ofEpochMilli(time))
            .setAccountSid("AC" + "1".repeat(32))
            .setServiceSid(SERVICE)
            .setIdentity(identity)
            .setEntitySid("YE" + String.format("%032d", next))
            .build();
    owner.process(new Record<>(SERVICE + "/" + identity, command, time));
    return context.committed();
  }

  @Test
  void shouldCommitALoneCommandAtOnce() {
    assertThat(decideAt(T0)).isTrue();
    assertThat(decideAt(T0 + 1_000)).isTrue();
  }

  @Test
  void shouldLeaveCommandsOfABurstToTheCommitInterval() {
    assertThat(decideAt(T0)).isTrue();
    assertThat(decideAt(T0 + 1)).isFalse();
    assertThat(decideAt(T0 + 2)).isFalse();
    assertThat(decideAt(T0 + 2 + QUIET_MS)).isTrue();
  }

  /** A relayed approval's settlement at {@code time}; whether it requested a commit. */
  private boolean settleAt(long time, String attemptId) {
    context.resetCommit();
    SettleChallenge settle =
        macKeys.sign(
            SettleChallenge.newBuilder()
                .setRequestId(attemptId)
                .setIssuedAt(Instant.ofEpochMilli(time))
                .setServiceSid(SERVICE)
                .setIdentity("user-0001")
                .setFactorSid("YF" + "4".repeat(32))
                .setChallengeSid("YC" + "5".repeat(32))
                .setStatus("approved")
                .setRespondedAt(Instant.ofEpochMilli(time))
                .setUpdatedAt(Instant.ofEpochMilli(time))
                .setAttemptId(attemptId)
                .build());
    owner.process(new Record<>(SERVICE + "/user-0001", settle, time));
    return context.committed();
  }

  @Test
  void shouldCommitALoneSettlementAtOnceThoughTheRelayNotedItsTimeAlready() {
    // What the relay does with the outcome on the same stream thread, before the settlement.
    pacer.arrivedAfterQuiet(T0);

    assertThat(settleAt(T0, "AT-1")).isTrue();
    assertThat(settleAt(T0 + 1, "AT-2")).as("a burst of settlements").isFalse();
    assertThat(settleAt(T0 + 1 + QUIET_MS, "AT-3")).isTrue();
  }

  @Test
  void shouldDecideEveryCommandOfABurst() {
    for (int i = 0; i < 10; i++) {
      decideAt(T0 + i);
    }

    assertThat(context.forwarded())
        .filteredOn(
            f -> f.childName().orElse("").equals(EntityTopology.Names.DEFAULT.repliesSink()))
        .hasSize(10);
  }
}

package io.lapse.service.decision;

import static org.assertj.core.api.Assertions.assertThat;

import io.lapse.commands.v1.CommandStatus;
import io.lapse.commands.v1.CreateEntity;
import io.lapse.commands.v1.CreateService;
import io.lapse.commands.v1.DeleteService;
import io.lapse.commands.v1.EntityRecord;
import io.lapse.commands.v1.FactorRecord;
import io.lapse.commands.v1.PurgeService;
import io.lapse.commands.v1.ReleaseTotpStep;
import io.lapse.commands.v1.ServiceRecord;
import io.lapse.commands.v1.UpdateService;
import io.lapse.service.decision.EntityDecision.Snapshot;
import io.lapse.service.decision.EntityDecision.SnapshotTopic;
import io.lapse.state.v1.EntitySnapshot;
import io.lapse.state.v1.FactorSnapshot;
import io.lapse.state.v1.ServiceSnapshot;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The service's single writer ({@link ServiceDecider}): a deleted service never comes back, and the
 * entity tasks refuse every command of a service they learnt was deleted ({@link EntityDecider}).
 */
class ServiceDeciderTest {
  private static final long T = Instant.parse("2026-05-01T12:00:00.250Z").toEpochMilli();
  private static final String ACCOUNT = "AC" + "1".repeat(32);
  private static final String SERVICE = "VA" + "2".repeat(32);
  private static final String IDENTITY = "user-0001";

  private final ServiceDecider decider = new ServiceDecider();

  private static ServiceSnapshot service(String name) {
    return ServiceSnapshot.newBuilder()
        .setSid(SERVICE)
        .setAccountSid(ACCOUNT)
        .setFriendlyName(name)
        .setCreatedAt(Instant.EPOCH)
        .setUpdatedAt(Instant.EPOCH)
        .build();
  }

  private static CreateService create() {
    return CreateService.newBuilder()
        .setRequestId("RQ-create")
        .setIssuedAt(Instant.EPOCH)
        .setService(service("Mine"))
        .build();
  }

  private static UpdateService rename(String name) {
    return UpdateService.newBuilder()
        .setRequestId("RQ-update")
        .setIssuedAt(Instant.EPOCH)
        .setSid(SERVICE)
        .setFriendlyName(name)
        .build();
  }

  private static DeleteService delete() {
    return DeleteService.newBuilder()
        .setRequestId("RQ-delete")
        .setIssuedAt(Instant.EPOCH)
        .setSid(SERVICE)
        .build();
  }

  private static PurgeService purge() {
    return PurgeService.newBuilder()
        .setRequestId("RQ-delete")
        .setIssuedAt(Instant.EPOCH)
        .setServiceSid(SERVICE)
        .build();
  }

  private ServiceRecord live() {
    return decider.decide(null, create(), T).record();
  }

  @Test
  void shouldCreateTheServiceDatedByTheRecordTime() {
    ServiceDecision d = decider.decide(null, create(), T);

    assertThat(d.reply().getStatus()).isEqualTo(CommandStatus.ACCEPTED);
    assertThat(d.publish()).isTrue();
    assertThat(d.snapshot().getCreatedAt()).isEqualTo(Instant.ofEpochMilli(T));
    assertThat(d.snapshot().getUpdatedAt()).isEqualTo(Instant.ofEpochMilli(T));
    assertThat(d.reply().getService()).isEqualTo(d.snapshot());
    assertThat(d.record().getService()).isEqualTo(d.snapshot());
  }

  @Test
  void shouldApplyOnlyTheFieldsAnUpdateCarries() {
    ServiceDecision d =
        decider.decide(
            live(), UpdateService.newBuilder(rename("Other")).setTotpCodeLength(8).build(), T + 1);

    assertThat(d.reply().getStatus()).isEqualTo(CommandStatus.ACCEPTED);
    assertThat(d.snapshot().getFriendlyName()).isEqualTo("Other");
    assertThat(d.snapshot().getTotpCodeLength()).isEqualTo(8);
    assertThat(d.snapshot().getTotpSkew()).isEqualTo(1);
    assertThat(d.snapshot().getCreatedAt()).isEqualTo(Instant.ofEpochMilli(T));
    assertThat(d.snapshot().getUpdatedAt()).isEqualTo(Instant.ofEpochMilli(T + 1));
  }

  @Test
  void shouldDeleteWithATombstoneAndAPurgeOfEveryPartition() {
    ServiceDecision d = decider.decide(live(), delete(), T + 1);

    assertThat(d.reply().getStatus()).isEqualTo(CommandStatus.ACCEPTED);
    assertThat(d.publish()).isTrue();
    assertThat(d.snapshot()).isNull();
    assertThat(d.purge()).isTrue();
    assertThat(d.record().getService()).isNull();
    assertThat(d.record().getDeletedAt()).isEqualTo(T + 1);
  }

  @Test
  void shouldNeverBringBackADeletedServiceOnALaterUpdate() {
    ServiceRecord deleted = decider.decide(live(), delete(), T + 1).record();

    ServiceDecision d = decider.decide(deleted, rename("Back"), T + 2);

    assertThat(d.reply().getStatus()).isEqualTo(CommandStatus.REJECTED);
    assertThat(d.reply().getCode()).isEqualTo(20404);
    assertThat(d.publish()).isFalse();
    assertThat(d.record()).isNull();
  }

  @Test
  void shouldNeverRecreateADeletedServiceFromAReplayedCreate() {
    ServiceRecord deleted = decider.decide(live(), delete(), T + 1).record();

    ServiceDecision d = decider.decide(deleted, create(), T + 2);

    assertThat(d.reply().getCode()).isEqualTo(20404);
    assertThat(d.publish()).isFalse();
  }

  @Test
  void shouldNeverReviveADeletedServiceFromTheEdgesStaleCopy() {
    ServiceRecord deleted = decider.decide(live(), delete(), T + 1).record();

    ServiceDecision d =
        decider.decide(
            deleted,
            UpdateService.newBuilder(rename("Back")).setKnown(service("Mine")).build(),
            T + 2);

    assertThat(d.reply().getCode()).isEqualTo(20404);
    assertThat(d.publish()).isFalse();
  }

  @Test
  void shouldTakeTheEdgesCopyOfAServiceWrittenBeforeServicesWereDecidedHere() {
    ServiceDecision d =
        decider.decide(
            null, UpdateService.newBuilder(rename("New")).setKnown(service("Old")).build(), T);

    assertThat(d.reply().getStatus()).isEqualTo(CommandStatus.ACCEPTED);
    assertThat(d.snapshot().getFriendlyName()).isEqualTo("New");
  }

  @Test
  void shouldRefuseAnUpdateOrDeleteOfAnUnknownService() {
    assertThat(decider.decide(null, rename("X"), T).reply().getCode()).isEqualTo(20404);
    assertThat(decider.decide(null, delete(), T).reply().getCode()).isEqualTo(20404);
  }

  @Test
  void shouldRememberAPurgeOnAPartitionThatDoesNotOwnTheService() {
    ServiceDecision d = decider.decide(null, purge(), T);

    assertThat(d.reply()).isNull();
    assertThat(d.publish()).isFalse();
    assertThat(d.record().getDeletedAt()).isEqualTo(T);
    ServiceRecord deleted = decider.decide(live(), delete(), T).record();
    assertThat(decider.decide(deleted, purge(), T + 1).record()).isNull();
  }

  // ---- the entity tasks, once the service is purged -------------------------------------

  private static EntitySnapshot entity() {
    return EntitySnapshot.newBuilder()
        .setSid("YE" + "3".repeat(32))
        .setAccountSid(ACCOUNT)
        .setServiceSid(SERVICE)
        .setIdentity(IDENTITY)
        .setCreatedAt(Instant.EPOCH)
        .setUpdatedAt(Instant.EPOCH)
        .build();
  }

  private static FactorRecord factor(String sid) {
    FactorSnapshot f =
        FactorSnapshot.newBuilder()
            .setSid(sid)
            .setAccountSid(ACCOUNT)
            .setServiceSid(SERVICE)
            .setEntitySid(entity().getSid())
            .setIdentity(IDENTITY)
            .setFriendlyName("phone")
            .setFactorType(EntityDecider.TOTP)
            .setStatus(EntityDecider.VERIFIED)
            .setCreatedAt(Instant.EPOCH)
            .setUpdatedAt(Instant.EPOCH)
            .build();
    return FactorRecord.newBuilder()
        .setFactor(f)
        .setBindingDigest(ByteBuffer.wrap(new byte[] {1}))
        .setLastAcceptedStepStart(-1L)
        .build();
  }

  @Test
  void shouldPurgeAnEntityWithItsFactorsTombstonesLast() {
    String f1 = "YF" + "1".repeat(32);
    EntityState state =
        new EntityState(
            new EntityRecord(entity(), List.of(T), List.of(), List.of()),
            Map.of(f1, factor(f1)),
            true);

    EntityDecision d = EntityDecider.purge(state);

    assertThat(d.reply()).isNull();
    assertThat(d.entityChanged()).isTrue();
    assertThat(d.entity()).isNull();
    assertThat(d.factors()).containsEntry(f1, null);
    assertThat(d.snapshots())
        .containsExactly(
            new Snapshot(SnapshotTopic.FACTORS, f1, null),
            new Snapshot(SnapshotTopic.ENTITIES, entity().getSid(), null));
  }

  @Test
  void shouldRefuseACreateRacedAgainstTheServicesDeletionOnceThePurgeArrived() {
    CreateEntity create =
        CreateEntity.newBuilder()
            .setRequestId("RQ-entity")
            .setIssuedAt(Instant.EPOCH)
            .setAccountSid(ACCOUNT)
            .setServiceSid(SERVICE)
            .setIdentity(IDENTITY)
            .setEntitySid("YE" + "4".repeat(32))
            .build();

    EntityDecision d = new EntityDecider().decide(new EntityState(null, Map.of(), true), create, T);

    assertThat(d.reply().getStatus()).isEqualTo(CommandStatus.REJECTED);
    assertThat(d.reply().getCode()).isEqualTo(20404);
    assertThat(d.reply().getReason()).contains(SERVICE);
    assertThat(d.snapshots()).isEmpty();
    assertThat(d.entityChanged()).isFalse();
  }

  @Test
  void shouldAnswerNothingToAStepReleaseOfADeletedService() {
    ReleaseTotpStep release =
        ReleaseTotpStep.newBuilder()
            .setRequestId("AT-1")
            .setIssuedAt(Instant.EPOCH)
            .setServiceSid(SERVICE)
            .setIdentity(IDENTITY)
            .setFactorSid("YF" + "1".repeat(32))
            .setChallengeSid("YC" + "1".repeat(32))
            .setCode(60322)
            .build();

    EntityDecision d =
        new EntityDecider().decide(new EntityState(null, Map.of(), true), release, T);

    assertThat(d.reply()).isNull();
    assertThat(d.snapshots()).isEmpty();
  }
}

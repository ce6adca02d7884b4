package io.lapse.service.decision;

import static org.assertj.core.api.Assertions.assertThat;

import io.lapse.events.v1.FactorEvent;
import io.lapse.state.v1.FactorSnapshot;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FactorEventsTest {
  private static final Instant AT = Instant.parse("2026-05-01T12:00:00Z");

  private static FactorSnapshot factor(String status) {
    return FactorSnapshot.newBuilder()
        .setSid("YF" + "1".repeat(32))
        .setAccountSid("AC" + "2".repeat(32))
        .setServiceSid("VA" + "3".repeat(32))
        .setEntitySid("YE" + "4".repeat(32))
        .setIdentity("user-12345678")
        .setFriendlyName("Pixel")
        .setFactorType("push")
        .setStatus(status)
        .setCreatedAt(AT.minusSeconds(60))
        .setUpdatedAt(AT)
        .setMetadata(Map.of("os", "Android"))
        .build();
  }

  @Test
  void shouldCallAFirstSnapshotCreated() {
    assertThat(FactorEvents.between(null, factor("unverified"), AT))
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.getType()).isEqualTo("factor.created");
              assertThat(e.getSid()).isEqualTo("YF" + "1".repeat(32));
              assertThat(e.getIdentity()).isEqualTo("user-12345678");
              assertThat(e.getFriendlyName()).isEqualTo("Pixel");
              assertThat(e.getMetadata()).containsEntry("os", "Android");
              assertThat(e.getOccurredAt()).isEqualTo(AT);
            });
  }

  @Test
  void shouldCallTheSnapshotThatTurnsVerifiedVerifiedOnce() {
    assertThat(FactorEvents.between(factor("unverified"), factor("verified"), AT))
        .extracting(FactorEvent::getType)
        .containsExactly("factor.verified");
    assertThat(FactorEvents.between(factor("verified"), factor("verified"), AT)).isEmpty();
  }

  @Test
  void shouldCallAFactorCreatedVerifiedBoth() {
    assertThat(FactorEvents.between(null, factor("verified"), AT))
        .extracting(FactorEvent::getType)
        .containsExactly("factor.created", "factor.verified");
  }

  @Test
  void shouldCallATombstoneDeletedWithTheFactorAsItWas() {
    assertThat(FactorEvents.between(factor("verified"), null, AT))
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.getType()).isEqualTo("factor.deleted");
              assertThat(e.getServiceSid()).isEqualTo("VA" + "3".repeat(32));
              assertThat(e.getStatus()).isEqualTo("verified");
            });
    assertThat(FactorEvents.between(null, null, AT)).isEmpty();
  }

  @Test
  void shouldCallOtherChangesNothing() {
    FactorSnapshot renamed =
        FactorSnapshot.newBuilder(factor("unverified")).setFriendlyName("New").build();
    assertThat(FactorEvents.between(factor("unverified"), renamed, AT)).isEmpty();
  }
}

package io.lapse.service.domain;

import static org.assertj.core.api.Assertions.assertThat;

import io.lapse.commands.v1.UpdateService;
import io.lapse.state.v1.ServiceSnapshot;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;

/** The two schemas name the settings alike, so the decider applies an update field by field. */
class ServiceSettingsTest {
  private static final Set<String> IDENTITY = Set.of("sid", "accountSid", "createdAt", "updatedAt");

  @Test
  void shouldNameEverySettingOfTheSnapshotInTheUpdateWithTheSameType() {
    List<String> snapshotSettings =
        ServiceSnapshot.getClassSchema().getFields().stream()
            .map(Schema.Field::name)
            .filter(n -> !IDENTITY.contains(n))
            .toList();

    assertThat(ServiceSettings.NAMES).containsExactlyInAnyOrderElementsOf(snapshotSettings);
    for (String name : ServiceSettings.NAMES) {
      Schema update = UpdateService.getClassSchema().getField(name).schema();
      Schema snapshot = ServiceSnapshot.getClassSchema().getField(name).schema();
      assertThat(update.isNullable()).as("%s may be left out of an update", name).isTrue();
      Schema valueType = update.getTypes().get(1);
      if (snapshot.isUnion()) {
        assertThat(snapshot.getTypes()).as(name).contains(valueType);
      } else {
        assertThat(snapshot).as(name).isEqualTo(valueType);
      }
    }
  }

  @Test
  void shouldApplyOnlyTheGivenSettingsAndClearAnOptionalTextWithAnEmptyOne() {
    ServiceSnapshot base =
        ServiceSettings.apply(
            ServiceSnapshot.newBuilder()
                .setSid("VA" + "1".repeat(32))
                .setAccountSid("AC" + "1".repeat(32))
                .setFriendlyName("Bank")
                .setCreatedAt(Instant.EPOCH)
                .setUpdatedAt(Instant.EPOCH)
                .build(),
            Map.of("ttsName", "Polly.Joanna", "codeLength", 8));
    assertThat(base.getTtsName()).isEqualTo("Polly.Joanna");
    assertThat(base.getCodeLength()).isEqualTo(8);
    assertThat(base.getDtmfInputRequired()).isTrue();

    UpdateService update =
        UpdateService.newBuilder()
            .setRequestId("RQ")
            .setIssuedAt(Instant.EPOCH)
            .setSid(base.getSid())
            .build();
    Map<String, Object> changes = new LinkedHashMap<>();
    changes.put("ttsName", "");
    changes.put("lookupEnabled", true);
    ServiceSettings.put(update, changes);
    assertThat(ServiceSettings.of(update)).isEqualTo(changes);

    ServiceSnapshot after = ServiceSettings.apply(base, ServiceSettings.of(update));
    assertThat(after.getTtsName()).isNull();
    assertThat(after.getLookupEnabled()).isTrue();
    assertThat(after.getCodeLength()).isEqualTo(8);
    assertThat(base.getTtsName()).as("the base is not changed").isEqualTo("Polly.Joanna");
  }
}

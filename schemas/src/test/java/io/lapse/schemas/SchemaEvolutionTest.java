package io.lapse.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;

/**
 * The build's schema evolution guard: every current schema in {@code src/main/avro} must read data
 * written with every released version in {@code src/test/resources/released/vN}. See {@link
 * SchemaEvolution} for the rules and the module README for how to release a version.
 */
class SchemaEvolutionTest {
  static final Path MODULE = Path.of(System.getProperty("basedir", "."));
  static final Path CURRENT = MODULE.resolve("src/main/avro");
  static final Path RELEASED = MODULE.resolve("src/test/resources/released");

  @Test
  void shouldKeepEveryCurrentSchemaBackwardCompatibleWithEveryReleasedVersion() {
    Map<String, Map<String, Schema>> releases = SchemaEvolution.loadReleases(RELEASED);
    assertThat(releases).as("released versions under %s", RELEASED).containsKey("v1");

    List<String> problems = SchemaEvolution.problems(SchemaEvolution.load(CURRENT), releases);

    assertThat(problems)
        .as(
            "Schema changes that break readers of released data. Make the change BACKWARD"
                + " compatible (new fields need a default; keep fields' types and enum symbols),"
                + " or, for a breaking change, define a new record in a new namespace"
                + " (io.lapse.events.v2) on a new topic")
        .isEmpty();
  }

  @Test
  void shouldGuardEveryRecordThatTheBuildGenerates() {
    Map<String, Schema> current = SchemaEvolution.load(CURRENT);

    assertThat(current.keySet())
        .contains(
            "io.lapse.events.v1.ChallengeCreated",
            "io.lapse.events.v1.VerificationAttempted",
            "io.lapse.events.v1.ChallengeApproved",
            "io.lapse.events.v1.ChallengeDenied",
            "io.lapse.events.v1.VerificationFailed",
            "io.lapse.events.v1.VerificationRejected",
            "io.lapse.events.v1.ChallengeExpired",
            "io.lapse.events.v1.NotificationRequested",
            "io.lapse.events.v1.AttemptOutcome",
            "io.lapse.events.v1.DetailField",
            "io.lapse.state.v1.ServiceSnapshot",
            "io.lapse.state.v1.EntitySnapshot",
            "io.lapse.state.v1.FactorSnapshot",
            "io.lapse.commands.v1.CreateEntity",
            "io.lapse.commands.v1.DeleteEntity",
            "io.lapse.commands.v1.CreateFactor",
            "io.lapse.commands.v1.UpdateFactor",
            "io.lapse.commands.v1.DeleteFactor",
            "io.lapse.commands.v1.CommandReply",
            "io.lapse.commands.v1.EntityRecord",
            "io.lapse.commands.v1.FactorRecord",
            "io.lapse.commands.v1.CreateChallenge",
            "io.lapse.commands.v1.SubmitTotpAttempt",
            "io.lapse.commands.v1.RequestNotification",
            "io.lapse.commands.v1.ReleaseTotpStep",
            "io.lapse.commands.v1.SettleChallenge",
            "io.lapse.commands.v1.ChallengeRecord",
            "io.lapse.commands.v1.CreateService",
            "io.lapse.commands.v1.UpdateService",
            "io.lapse.commands.v1.DeleteService",
            "io.lapse.commands.v1.PurgeService",
            "io.lapse.commands.v1.ServiceRecord");
    // The guarded .avsc files are the ones the classes are generated from.
    assertThat(current.get("io.lapse.events.v1.ChallengeCreated").getFields())
        .extracting(Schema.Field::name)
        .isEqualTo(
            io.lapse.events.v1.ChallengeCreated.getClassSchema().getFields().stream()
                .map(Schema.Field::name)
                .toList());
  }
}

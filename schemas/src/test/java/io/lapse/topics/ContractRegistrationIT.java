package io.lapse.topics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lapse.infra.SchemaRegistry;
import io.lapse.serde.HttpSchemaRegistryClient;
import io.lapse.serde.SchemaRegistryClient;
import io.lapse.serde.SerdeConfig;
import io.lapse.testkit.LapseIntegration;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The contract registration against the real registry (Apicurio's Confluent-compatible API, global
 * compatibility BACKWARD). Each test uses topic names of its own (a unique prefix), so the subjects
 * it changes are nobody else's.
 */
@LapseIntegration
class ContractRegistrationIT {
  private static String url;

  @BeforeAll
  static void connect(SchemaRegistry registry) {
    url = registry.url();
  }

  /** A client with empty caches, so every answer below comes from the registry. */
  private static SchemaRegistryClient freshClient() {
    return new HttpSchemaRegistryClient(List.of(url), null, false);
  }

  private static List<ContractSubject> contract() {
    TopicNames names =
        TopicNames.fromEnv(Map.of("LAPSE_TOPIC_PREFIX", "it-" + UUID.randomUUID() + "-"));
    return LapseTopics.create(names, Map.of(SerdeConfig.SCHEMA_REGISTRY_URL, url)).contract();
  }

  private static List<ContractRegistration.Registered> register(List<ContractSubject> contract) {
    return new ContractRegistration(
            freshClient(), ContractRegistration.Mode.REGISTER, Duration.ofSeconds(30))
        .apply(contract);
  }

  @Test
  void shouldLeaveOurSchemaAsTheLatestVersionOfEverySubject() {
    List<ContractSubject> contract = contract();

    List<ContractRegistration.Registered> done = register(contract);

    SchemaRegistryClient registry = freshClient();
    assertThat(done).hasSize(contract.size());
    for (ContractRegistration.Registered r : done) {
      SchemaRegistryClient.RegisteredSchema latest = registry.getLatest(r.subject().subject());
      assertThat(latest.schema()).isEqualTo(r.subject().schema());
      assertThat(latest.id()).isEqualTo(r.id());
    }
  }

  @Test
  void shouldKeepTheSameIdsAndVersionsWhenRunTwice() {
    List<ContractSubject> contract = contract();
    List<ContractRegistration.Registered> first = register(contract);

    List<ContractRegistration.Registered> second = register(contract);

    assertThat(second).isEqualTo(first);
    SchemaRegistryClient registry = freshClient();
    for (ContractSubject s : contract) {
      assertThat(registry.getLatest(s.subject()).version()).isEqualTo(1);
    }
  }

  @Test
  void shouldRefuseToStartWhenASubjectHoldsAnIncompatibleSchema() {
    List<ContractSubject> contract = contract();
    ContractSubject expired =
        contract.stream()
            .filter(s -> s.recordType().endsWith(".ChallengeExpired"))
            .findFirst()
            .orElseThrow();
    Schema incompatible =
        SchemaBuilder.record("ChallengeExpired")
            .namespace("io.lapse.events.v1")
            .fields()
            .requiredString("region")
            .endRecord();
    freshClient().register(expired.subject(), incompatible);

    assertThatThrownBy(() -> register(contract))
        .isInstanceOfSatisfying(
            ContractViolationException.class,
            e -> assertThat(e.subject()).isEqualTo(expired.subject()))
        .hasMessageContaining("subject " + expired.subject())
        .hasMessageContaining("incompatible")
        // Apicurio's reason lists the fields the latest version cannot give our schema.
        .hasMessageContaining("expiredAt");
    assertThat(freshClient().getLatest(expired.subject()).schema()).isEqualTo(incompatible);
  }

  @Test
  void shouldPassTheCheckOnlyModeOnceTheContractIsRegistered() {
    List<ContractSubject> contract = contract();
    ContractRegistration check =
        new ContractRegistration(
            freshClient(), ContractRegistration.Mode.CHECK, Duration.ofSeconds(30));
    assertThatThrownBy(() -> check.apply(contract))
        .isInstanceOf(ContractViolationException.class)
        .hasMessageContaining(contract.get(0).subject());

    List<ContractRegistration.Registered> registered = register(contract);

    assertThat(check.apply(contract)).isEqualTo(registered);
  }
}

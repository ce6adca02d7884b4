package io.lapse.topics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lapse.serde.MockSchemaRegistry;
import io.lapse.serde.RegistryUnavailableException;
import io.lapse.serde.SchemaRegistryClient;
import io.lapse.serde.SerdeConfig;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The contract's subjects, and registering them against the in-memory registry. */
class ContractRegistrationTest {
  private final String scope = "contract-" + UUID.randomUUID();
  private final MockSchemaRegistry registry = MockSchemaRegistry.forScope(scope);
  private final LapseTopics topics =
      LapseTopics.create(Map.of(SerdeConfig.SCHEMA_REGISTRY_URL, "mock://" + scope));

  @AfterEach
  void dropRegistry() {
    MockSchemaRegistry.dropScope(scope);
  }

  @Test
  void shouldListTheSubjectsTheTopicsSerializersUseForEveryRecordType() {
    List<String> expected = TopicCase.all().stream().map(TopicCase::subject).distinct().toList();

    assertThat(topics.contract())
        .extracting(ContractSubject::subject)
        .containsExactlyElementsOf(expected);
    TopicCase.all().forEach(c -> c.serialize(topics));
    assertThat(registry.getSubjects()).containsExactlyInAnyOrderElementsOf(expected);
  }

  @Test
  void shouldRegisterEverySubjectSoTheSerializersFindTheirSchemas() {
    List<ContractRegistration.Registered> done = register(ContractRegistration.Mode.REGISTER);

    assertThat(registry.getSubjects()).hasSize(topics.contract().size());
    for (ContractRegistration.Registered r : done) {
      assertThat(registry.getLatest(r.subject().subject()).id()).isEqualTo(r.id());
    }
    assertThat(register(ContractRegistration.Mode.REGISTER)).isEqualTo(done);
  }

  @Test
  void shouldOnlyCheckAndNameTheMissingSubjectWhenAutoRegistrationIsOff() {
    assertThatThrownBy(() -> register(ContractRegistration.Mode.CHECK))
        .isInstanceOf(ContractViolationException.class)
        .hasMessageContaining("challenge-created-value")
        .hasMessageContaining("auto.register.schemas");
    assertThat(registry.getSubjects()).isEmpty();

    register(ContractRegistration.Mode.REGISTER);
    assertThat(register(ContractRegistration.Mode.CHECK)).hasSize(topics.contract().size());
  }

  @Test
  void shouldRefuseAnIncompatibleLatestVersionNamingTheSubject() {
    Schema other =
        SchemaBuilder.record("ChallengeExpired")
            .namespace("io.lapse.events.v1")
            .fields()
            .requiredLong("somethingElse")
            .endRecord();
    registry.register("challenge-expired-value", other);

    assertThatThrownBy(() -> register(ContractRegistration.Mode.REGISTER))
        .isInstanceOfSatisfying(
            ContractViolationException.class,
            e -> assertThat(e.subject()).isEqualTo("challenge-expired-value"))
        .hasMessageContaining("subject challenge-expired-value")
        .hasMessageContaining("incompatible");
  }

  @Test
  void shouldRetryWhileTheRegistryIsUnavailable() {
    AtomicInteger failures = new AtomicInteger(2);
    SchemaRegistryClient flaky = new FlakyRegistry(registry, failures);

    List<ContractRegistration.Registered> done =
        new ContractRegistration(flaky, ContractRegistration.Mode.REGISTER, Duration.ofSeconds(10))
            .apply(topics.contract());

    assertThat(failures).hasValue(0);
    assertThat(done).hasSize(topics.contract().size());
  }

  @Test
  void shouldGiveUpAfterTheTimeoutWhenTheRegistryStaysUnavailable() {
    SchemaRegistryClient down = new FlakyRegistry(registry, new AtomicInteger(Integer.MAX_VALUE));

    assertThatThrownBy(
            () ->
                new ContractRegistration(
                        down, ContractRegistration.Mode.REGISTER, Duration.ofMillis(300))
                    .apply(topics.contract()))
        .isInstanceOf(RegistryUnavailableException.class)
        .hasMessageContaining("challenge-created-value");
  }

  @Test
  void shouldPrintEverySubjectFromTheCommandLineAndRefuseUnknownOptions() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();

    int status =
        RegisterContract.run(
            new String[] {"mock://" + scope},
            Map.of(),
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));

    assertThat(status).isZero();
    assertThat(out.toString(StandardCharsets.UTF_8).lines())
        .hasSize(topics.contract().size())
        .anySatisfy(line -> assertThat(line).startsWith("challenge-created-value id "));
    assertThat(
            RegisterContract.run(
                new String[] {"--bogus"}, Map.of(), System.out, new PrintStream(err, true)))
        .isEqualTo(2);
  }

  private List<ContractRegistration.Registered> register(ContractRegistration.Mode mode) {
    return new ContractRegistration(registry, mode, Duration.ofSeconds(5)).apply(topics.contract());
  }

  /** Delegates, but the first calls fail as an unreachable registry does. */
  private record FlakyRegistry(SchemaRegistryClient delegate, AtomicInteger failures)
      implements SchemaRegistryClient {
    private void maybeFail() {
      if (failures.getAndUpdate(n -> n > 0 ? n - 1 : 0) > 0) {
        throw new RegistryUnavailableException("connection refused", new java.io.IOException());
      }
    }

    @Override
    public int register(String subject, Schema schema) {
      maybeFail();
      return delegate.register(subject, schema);
    }

    @Override
    public int lookup(String subject, Schema schema) {
      maybeFail();
      return delegate.lookup(subject, schema);
    }

    @Override
    public Schema getById(int id) {
      return delegate.getById(id);
    }

    @Override
    public RegisteredSchema getLatest(String subject) {
      return delegate.getLatest(subject);
    }

    @Override
    public boolean testCompatibility(String subject, Schema schema) {
      maybeFail();
      return delegate.testCompatibility(subject, schema);
    }

    @Override
    public List<String> getSubjects() {
      return delegate.getSubjects();
    }
  }
}

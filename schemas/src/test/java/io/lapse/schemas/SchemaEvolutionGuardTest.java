package io.lapse.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Proves the guard of {@link SchemaEvolutionTest} fails when it should: each test copies the real
 * schemas, makes one deliberate change, and runs the same check the build runs.
 */
class SchemaEvolutionGuardTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path work;
  private Path changed;
  private Map<String, Map<String, Schema>> releases;

  @BeforeEach
  void copyTheCurrentSchemas() throws IOException {
    changed = work.resolve("avro");
    copy(SchemaEvolutionTest.CURRENT, changed);
    releases = SchemaEvolution.loadReleases(SchemaEvolutionTest.RELEASED);
  }

  private List<String> problemsAfter(String file, Consumer<ObjectNode> change) throws IOException {
    Path path = changed.resolve(file);
    ObjectNode schema = (ObjectNode) JSON.readTree(path.toFile());
    change.accept(schema);
    Files.writeString(path, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(schema));
    return SchemaEvolution.problems(SchemaEvolution.load(changed), releases);
  }

  private static ObjectNode field(String name, Object type) {
    ObjectNode field = JSON.createObjectNode().put("name", name).put("doc", "test");
    field.set("type", JSON.valueToTree(type));
    return field;
  }

  @Test
  void shouldPassTheUnchangedSchemas() {
    assertThat(SchemaEvolution.problems(SchemaEvolution.load(changed), releases)).isEmpty();
  }

  @Test
  void shouldRefuseANewFieldWithoutADefault() throws IOException {
    List<String> problems =
        problemsAfter(
            "events/ChallengeExpired.avsc",
            s -> ((ArrayNode) s.get("fields")).add(field("reason", "string")));

    assertThat(problems)
        .singleElement(org.assertj.core.api.InstanceOfAssertFactories.STRING)
        .contains("io.lapse.events.v1.ChallengeExpired")
        .contains("READER_FIELD_MISSING_DEFAULT_VALUE")
        .contains("reason");
  }

  @Test
  void shouldAcceptANewFieldWithADefault() throws IOException {
    List<String> problems =
        problemsAfter(
            "events/ChallengeExpired.avsc",
            s ->
                ((ArrayNode) s.get("fields"))
                    .add(field("reason", List.of("null", "string")).putNull("default")));

    assertThat(problems).isEmpty();
  }

  @Test
  void shouldRefuseARemovedEnumSymbolWithoutADefault() throws IOException {
    List<String> problems =
        problemsAfter(
            "events/AttemptOutcome.avsc",
            s -> {
              s.set("symbols", JSON.valueToTree(List.of("APPROVED", "WRONG_CODE")));
              s.remove("default");
            });

    assertThat(problems)
        .anySatisfy(p -> assertThat(p).contains("AttemptOutcome").contains("MISSING_ENUM_SYMBOLS"))
        .anySatisfy(
            p -> assertThat(p).contains("VerificationAttempted").contains("MISSING_ENUM_SYMBOLS"));
  }

  @Test
  void shouldRefuseARemovedEnumSymbolEvenWhenAvroWouldMapItToTheDefault() throws IOException {
    List<String> problems =
        problemsAfter(
            "events/AttemptOutcome.avsc",
            s -> s.set("symbols", JSON.valueToTree(List.of("APPROVED", "WRONG_CODE"))));

    assertThat(problems)
        .singleElement(org.assertj.core.api.InstanceOfAssertFactories.STRING)
        .contains("io.lapse.events.v1.AttemptOutcome: enum symbols [DENIED] of v1 were removed");
  }

  @Test
  void shouldRefuseAChangedFieldType() throws IOException {
    List<String> problems =
        problemsAfter(
            "events/VerificationRejected.avsc",
            s -> ((ObjectNode) s.get("fields").get(5)).set("type", JSON.valueToTree("string")));

    assertThat(problems)
        .singleElement(org.assertj.core.api.InstanceOfAssertFactories.STRING)
        .contains("VerificationRejected")
        .contains("TYPE_MISMATCH")
        .contains("/fields/5/type");
  }

  @Test
  void shouldRefuseARenamedRecord() throws IOException {
    List<String> problems =
        problemsAfter("events/ChallengeDenied.avsc", s -> s.put("name", "ChallengeRefused"));

    assertThat(problems)
        .contains("io.lapse.events.v1.ChallengeDenied: released in v1 but no longer defined");
  }

  @Test
  void shouldRefuseARemovedSchema() throws IOException {
    // ChallengeDenied: no other record refers to it, so the rest still parses without it.
    Files.delete(changed.resolve("events/ChallengeDenied.avsc"));

    assertThat(SchemaEvolution.problems(SchemaEvolution.load(changed), releases))
        .containsExactly(
            "io.lapse.events.v1.ChallengeDenied: released in v1 but no longer defined");
  }

  @Test
  void shouldCheckAgainstEveryReleasedVersionNotOnlyTheLast() throws IOException {
    // v2 dropped ChallengeExpired.expiredAt (fine for readers); the current schema brings the
    // name back as a string, which v2 data allows but v1 data (a timestamp long) does not.
    Path released = work.resolve("released");
    copy(SchemaEvolutionTest.RELEASED.resolve("v1"), released.resolve("v1"));
    copy(SchemaEvolutionTest.RELEASED.resolve("v1"), released.resolve("v2"));
    edit(
        released.resolve("v2/events/ChallengeExpired.avsc"),
        s -> ((ArrayNode) s.get("fields")).remove(5));
    edit(
        changed.resolve("events/ChallengeExpired.avsc"),
        s ->
            ((ObjectNode) s.get("fields").get(5))
                .put("default", "")
                .set("type", JSON.valueToTree("string")));
    Map<String, Map<String, Schema>> twoReleases = SchemaEvolution.loadReleases(released);

    List<String> problems = SchemaEvolution.problems(SchemaEvolution.load(changed), twoReleases);

    assertThat(twoReleases).containsOnlyKeys("v1", "v2");
    assertThat(problems)
        .singleElement(org.assertj.core.api.InstanceOfAssertFactories.STRING)
        .contains("ChallengeExpired: cannot read data written with v1")
        .contains("TYPE_MISMATCH");
  }

  private static void edit(Path file, Consumer<ObjectNode> change) throws IOException {
    ObjectNode schema = (ObjectNode) JSON.readTree(file.toFile());
    change.accept(schema);
    Files.writeString(file, JSON.writeValueAsString(schema));
  }

  private static void copy(Path from, Path to) throws IOException {
    try (Stream<Path> walk = Files.walk(from)) {
      for (Path source : walk.toList()) {
        Path target = to.resolve(from.relativize(source).toString());
        if (Files.isDirectory(source)) {
          Files.createDirectories(target);
        } else {
          Files.copy(source, target);
        }
      }
    }
  }
}

package io.lapse.serde;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lapse.infra.SchemaRegistry;
import io.lapse.testkit.LapseIntegration;
import io.lapse.topics.LapseTopics;
import io.lapse.topics.Topic;
import io.lapse.topics.TopicCase;
import io.lapse.topics.TopicNames;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The cross-implementation check: an independent implementation of Confluent's wire format, the npm
 * package {@code @kafkajs/confluent-schema-registry} 3.9.0 under Node 20 ({@code compat/}), reads
 * what our serializer wrote through the real registry, and our deserializer reads what it wrote.
 * Node is required: without it this test fails (the README promises Node 20), it never skips.
 *
 * <p>Flow: our serializer writes every record type as hex files under {@code
 * target/compat/<run>/java-to-node/} with the field values in a neutral JSON form; {@code node
 * compat/check.js <url> <dir> <run>} decodes them with kafkajs, compares every field, re-encodes
 * them byte for byte, then registers Lapse's schemas with kafkajs under subjects of its own and
 * writes records to {@code node-to-java/}, which this class decodes and compares.
 */
@LapseIntegration
class KafkajsCrossImplementationIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String KAFKAJS_PACKAGE = "@kafkajs/confluent-schema-registry";
  private static final Duration NPM_CI_TIMEOUT = Duration.ofMinutes(5);
  private static final Duration CHECK_TIMEOUT = Duration.ofMinutes(2);

  private static String url;
  private static Path workDir;
  private static ProcessResult check;

  /** A finished child process: exit code, merged stdout and stderr, wall time. */
  record ProcessResult(List<String> command, int exitCode, String output, long millis) {
    String describe() {
      return String.join(" ", command)
          + " exited "
          + exitCode
          + " after "
          + millis
          + " ms; its output:\n"
          + output;
    }
  }

  @BeforeAll
  static void runTheNodeSide(SchemaRegistry registry) throws IOException {
    url = registry.url();
    Path compat = compatDir();
    String node = System.getProperty("lapse.node", "node");
    String npm = System.getProperty("lapse.npm", "npm");
    requireNode20(node);
    installPinnedPackages(compat, npm);

    String run = UUID.randomUUID().toString().substring(0, 8);
    workDir = moduleDir().resolve("target/compat/" + run);
    writeJavaRecords(workDir.resolve("java-to-node"), run);

    check =
        runProcess(
            List.of(node, compat.resolve("check.js").toString(), url, workDir.toString(), run),
            compat,
            CHECK_TIMEOUT);
    System.out.println("[compat] node check.js took " + check.millis() + " ms\n" + check.output());
  }

  @Test
  void shouldHaveKafkajsReadEveryRecordOurSerializerWrote() throws IOException {
    assertThat(check.exitCode()).withFailMessage(check::describe).isZero();
    JsonNode report = JSON.readTree(workDir.resolve("node-report.json").toFile());
    List<String> expected = TopicCase.all().stream().map(TopicCase::type).toList();

    assertThat(report.path("version").asText()).isEqualTo("3.9.0");
    assertThat(report.path("decoded"))
        .withFailMessage(check::describe)
        .extracting(r -> r.path("name").asText())
        .containsExactlyElementsOf(expected);
    assertThat(report.path("decoded"))
        .withFailMessage(check::describe)
        .allSatisfy(r -> assertThat(r.path("ok").asBoolean()).isTrue());
  }

  @Test
  void shouldReadEveryRecordKafkajsWrote() throws IOException {
    Path dir = workDir.resolve("node-to-java");
    assertThat(dir.resolve("manifest.json")).withFailMessage(check::describe).exists();
    JsonNode manifest = JSON.readTree(dir.resolve("manifest.json").toFile());
    assertThat(manifest.path("records").size()).withFailMessage(check::describe).isEqualTo(5);
    ConfluentAvroDeserializer<Object> deserializer = new ConfluentAvroDeserializer<>();
    deserializer.configure(
        Map.of(SerdeConfig.SCHEMA_REGISTRY_URL, url, SerdeConfig.SPECIFIC_AVRO_READER, true),
        false);
    SchemaRegistryClient registry = new HttpSchemaRegistryClient(List.of(url), null, false);

    List<String> problems = new ArrayList<>();
    for (JsonNode entry : manifest.path("records")) {
      String name = entry.path("name").asText();
      byte[] bytes = hex(dir.resolve(entry.path("file").asText()));
      Object read = deserializer.deserialize(entry.path("topic").asText(), bytes);

      assertThat(read.getClass().getName()).as(name).isEqualTo(entry.path("javaType").asText());
      assertThat(ByteBuffer.wrap(bytes, 1, 4).getInt())
          .as(
              "%s: schema id in the bytes is the one kafkajs registered under %s",
              name, entry.path("subject"))
          .isEqualTo(registry.getLatest(entry.path("subject").asText()).id());
      NeutralJson.diff(entry.path("expected"), NeutralJson.of(read))
          .forEach(p -> problems.add(name + ": " + p));
    }
    assertThat(problems).as("fields that differ from what kafkajs encoded").isEmpty();
  }

  /** Our serializer writes every record type, with the values in neutral form next to it. */
  private static void writeJavaRecords(Path dir, String run) throws IOException {
    Files.createDirectories(dir);
    TopicNames names = TopicNames.fromEnv(Map.of("LAPSE_TOPIC_PREFIX", "compat-java-" + run + "-"));
    LapseTopics topics = LapseTopics.create(names, Map.of(SerdeConfig.SCHEMA_REGISTRY_URL, url));
    ArrayNode records = JSON.createArrayNode();
    for (TopicCase c : TopicCase.all()) {
      byte[] bytes = c.serialize(topics);
      String file = c.type().replaceAll("[^A-Za-z]", "") + ".hex";
      Files.writeString(dir.resolve(file), HexFormat.of().formatHex(bytes) + "\n");
      Topic<String, ?> topic = c.topic().apply(topics);
      ObjectNode entry = records.addObject();
      entry.put("name", c.type()).put("topic", topic.name()).put("file", file);
      entry.set("expected", NeutralJson.of(c.sample()));
    }
    ObjectNode manifest = JSON.createObjectNode();
    manifest.set("records", records);
    JSON.writerWithDefaultPrettyPrinter()
        .writeValue(dir.resolve("manifest.json").toFile(), manifest);
  }

  private static void requireNode20(String node) {
    ProcessResult version;
    try {
      version = runProcess(List.of(node, "--version"), moduleDir(), Duration.ofSeconds(30));
    } catch (UncheckedIOException e) {
      throw new AssertionError(
          "Node.js 20 is required for the cross-implementation check that ./mvnw verify runs"
              + " (see the README), but '"
              + node
              + "' cannot be started: "
              + e.getCause().getMessage()
              + ". Install Node 20 (with npm), or point -Dnode.executable / -Dnpm.executable at"
              + " them.",
          e);
    }
    String text = version.output().trim();
    int major =
        text.matches("v\\d+\\..*") ? Integer.parseInt(text.substring(1, text.indexOf('.'))) : -1;
    assertThat(major)
        .withFailMessage(
            "Node.js 20 or newer is required for the cross-implementation check; '%s --version'"
                + " answered '%s'",
            node, text)
        .isGreaterThanOrEqualTo(20);
  }

  /** Runs {@code npm ci} unless the pinned kafkajs version is already installed. */
  private static void installPinnedPackages(Path compat, String npm) throws IOException {
    String pinned =
        JSON.readTree(compat.resolve("package.json").toFile())
            .path("dependencies")
            .path(KAFKAJS_PACKAGE)
            .asText();
    Path installed = compat.resolve("node_modules/" + KAFKAJS_PACKAGE + "/package.json");
    if (Files.exists(installed)
        && JSON.readTree(installed.toFile()).path("version").asText().equals(pinned)) {
      return;
    }
    ProcessResult ci =
        runProcess(List.of(npm, "ci", "--no-audit", "--no-fund"), compat, NPM_CI_TIMEOUT);
    assertThat(ci.exitCode())
        .withFailMessage(() -> "npm ci in " + compat + " failed: " + ci.describe())
        .isZero();
    System.out.println("[compat] npm ci took " + ci.millis() + " ms");
  }

  private static ProcessResult runProcess(List<String> command, Path dir, Duration timeout) {
    long start = System.nanoTime();
    try {
      Path log = Files.createTempFile("lapse-compat", ".log");
      Process process =
          new ProcessBuilder(command)
              .directory(dir.toFile())
              .redirectErrorStream(true)
              .redirectOutput(log.toFile())
              .start();
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly();
        throw new AssertionError(
            String.join(" ", command)
                + " did not finish within "
                + timeout
                + "; its output so far:\n"
                + Files.readString(log));
      }
      String output = Files.readString(log, StandardCharsets.UTF_8);
      Files.deleteIfExists(log);
      return new ProcessResult(
          command, process.exitValue(), output, (System.nanoTime() - start) / 1_000_000);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("Interrupted while running " + command, e);
    }
  }

  private static Path moduleDir() {
    return Path.of(System.getProperty("basedir", ".")).toAbsolutePath();
  }

  /** {@code compat/} at the repository root, found from the module directory upwards. */
  private static Path compatDir() {
    String configured = System.getProperty("lapse.compat.dir");
    if (configured != null) {
      return Path.of(configured).toAbsolutePath();
    }
    for (Path dir = moduleDir(); dir != null; dir = dir.getParent()) {
      if (Files.exists(dir.resolve("compat/package.json"))) {
        return dir.resolve("compat");
      }
    }
    throw new AssertionError("No compat/package.json above " + moduleDir());
  }

  private static byte[] hex(Path file) throws IOException {
    return HexFormat.of().parseHex(Files.readString(file).trim());
  }
}

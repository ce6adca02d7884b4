package io.lapse.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lapse.events.v1.ChallengeCreated;
import io.lapse.serde.ScriptedRegistryServer.Response;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What a reader of the log must tell apart: bytes that can never be decoded (dead-letter them) and
 * a registry that cannot answer now (retry the same bytes later), as the deserializer and the
 * serializer report them over the real HTTP client.
 */
class RegistryFaultClassificationTest {
  private static final String BASE = "/apis/ccompat/v7";
  private static final String TOPIC = "challenge-created";

  private final MockScope scope = new MockScope();
  private final List<AutoCloseable> servers = new ArrayList<>();

  @AfterEach
  void stop() throws Exception {
    scope.close();
    for (AutoCloseable s : servers) {
      s.close();
    }
  }

  @Test
  void shouldReportAnUnreachableRegistryAsRegistryUnavailable() throws IOException {
    DroppingServer dropping = new DroppingServer();
    servers.add(dropping);

    assertThatThrownBy(() -> deserializer(dropping.url()).deserialize(TOPIC, validBytes()))
        .isInstanceOf(RegistryUnavailableException.class)
        .hasMessageContaining("writer schema id")
        .hasMessageContaining(TOPIC);
  }

  @Test
  void shouldReportARegistryAnswering503AsRegistryUnavailable() throws IOException {
    ScriptedRegistryServer server = scripted(r -> Response.json(503, ""));

    assertThatThrownBy(() -> deserializer(server.url(BASE)).deserialize(TOPIC, validBytes()))
        .isInstanceOfSatisfying(
            RegistryUnavailableException.class, e -> assertThat(e.httpStatus()).isEqualTo(503));
  }

  @Test
  void shouldDecodeTheSameBytesOnceTheRegistryAnswersAgain() throws IOException {
    byte[] bytes = validBytes();
    AtomicBoolean down = new AtomicBoolean(true);
    String schemaAnswer =
        "{\"schema\":" + quoted(ChallengeCreated.getClassSchema().toString()) + "}";
    ScriptedRegistryServer server =
        scripted(r -> down.get() ? Response.json(503, "") : Response.json(200, schemaAnswer));
    ConfluentAvroDeserializer<Object> deserializer = deserializer(server.url(BASE));

    assertThatThrownBy(() -> deserializer.deserialize(TOPIC, bytes))
        .isInstanceOf(RegistryUnavailableException.class);
    down.set(false);

    assertThat(deserializer.deserialize(TOPIC, bytes)).isEqualTo(SampleEvents.challengeCreated());
  }

  @Test
  void shouldReportASchemaIdTheRegistryDoesNotKnowAsUndecodable() throws IOException {
    ScriptedRegistryServer server =
        scripted(r -> Response.json(404, "{\"error_code\":40403,\"message\":\"not found\"}"));

    assertPoison(
        () -> deserializer(server.url(BASE)).deserialize(TOPIC, validBytes()),
        "which the schema registry does not know");
  }

  @Test
  void shouldHoldARecordWhenTheRegistryRefusesTheCallerRatherThanDeadLetterIt() throws IOException {
    // A credential or base-URL mistake says nothing about the record: dead-lettering would lose
    // every record whose schema is not cached yet.
    ScriptedRegistryServer server =
        scripted(r -> Response.json(401, "{\"error_code\":40101,\"message\":\"unauthorized\"}"));

    assertThatThrownBy(() -> deserializer(server.url(BASE)).deserialize(TOPIC, validBytes()))
        .isInstanceOf(RegistryUnavailableException.class)
        .hasMessageContaining("not about the record");
  }

  @Test
  void shouldReportBytesInAnotherFramingAsUndecodable() throws IOException {
    ScriptedRegistryServer server = scripted(r -> Response.json(503, ""));

    assertPoison(
        () -> deserializer(server.url(BASE)).deserialize(TOPIC, "garbage".getBytes()),
        "Unknown magic byte");
    assertThat(server.requests()).isEmpty();
  }

  @Test
  void shouldReportTruncatedAvroDataAsUndecodable() throws IOException {
    ScriptedRegistryServer server = servingSchema(ChallengeCreated.getClassSchema());
    byte[] truncated = Arrays.copyOf(validBytes(), 12);

    assertPoison(
        () -> deserializer(server.url(BASE)).deserialize(TOPIC, truncated),
        "Could not decode Avro data");
  }

  @Test
  void shouldReportAWriterSchemaTheReaderCannotResolveAsUndecodable() throws IOException {
    Schema incompatible =
        SchemaBuilder.record("ChallengeCreated")
            .namespace("io.lapse.events.v1")
            .fields()
            .requiredInt("sid")
            .endRecord();
    ScriptedRegistryServer server = servingSchema(incompatible);
    byte[] bytes = ByteBuffer.allocate(6).put((byte) 0).putInt(77).put((byte) 0x54).array();

    assertPoison(
        () -> deserializer(server.url(BASE)).deserialize(TOPIC, bytes),
        "Could not decode Avro data with writer schema id 77");
  }

  @Test
  void shouldReportASerializerThatCannotReachTheRegistryAsRegistryUnavailable() throws IOException {
    ScriptedRegistryServer server = scripted(r -> Response.json(502, ""));
    ConfluentAvroSerializer<Object> serializer =
        new ConfluentAvroSerializer<>(fastClient(server.url(BASE)), Map.of(), false);

    assertThatThrownBy(() -> serializer.serialize(TOPIC, SampleEvents.challengeCreated()))
        .isInstanceOf(RegistryUnavailableException.class)
        .hasMessageContaining("challenge-created-value");
  }

  @Test
  void shouldFindARegistryOutageWrappedByTheCaller() {
    RegistryUnavailableException outage = new RegistryUnavailableException("down", 503, 50005);
    RuntimeException wrapped =
        new RuntimeException("stream thread", new IllegalStateException(outage));

    assertThat(RegistryUnavailableException.isCauseOf(wrapped)).isTrue();
    assertThat(RegistryUnavailableException.isCauseOf(new SerializationException("bad", null)))
        .isFalse();
    assertThat(RegistryUnavailableException.isCauseOf(null)).isFalse();
  }

  private static void assertPoison(
      org.assertj.core.api.ThrowableAssert.ThrowingCallable call, String message) {
    assertThatThrownBy(call)
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining(message)
        .satisfies(e -> assertThat(RegistryUnavailableException.isCauseOf(e)).isFalse());
  }

  /** ChallengeCreated bytes as a real producer writes them (schema id from the mock registry). */
  private byte[] validBytes() {
    return scope.serializer(false).serialize(TOPIC, SampleEvents.challengeCreated());
  }

  private ScriptedRegistryServer servingSchema(Schema schema) throws IOException {
    return scripted(r -> Response.json(200, "{\"schema\":" + quoted(schema.toString()) + "}"));
  }

  private ScriptedRegistryServer scripted(
      java.util.function.Function<ScriptedRegistryServer.Request, Response> script)
      throws IOException {
    ScriptedRegistryServer server = new ScriptedRegistryServer(BASE, script);
    servers.add(server);
    return server;
  }

  private static ConfluentAvroDeserializer<Object> deserializer(String url) {
    return new ConfluentAvroDeserializer<>(
        fastClient(url), Map.of(SerdeConfig.SPECIFIC_AVRO_READER, true), false);
  }

  private static HttpSchemaRegistryClient fastClient(String url) {
    return new HttpSchemaRegistryClient(
        List.of(url),
        null,
        null,
        false,
        -1,
        new HttpSchemaRegistryClient.Retry(2, Duration.ofMillis(1), Duration.ofSeconds(5)));
  }

  private static String quoted(String text) {
    return "\"" + text.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }
}

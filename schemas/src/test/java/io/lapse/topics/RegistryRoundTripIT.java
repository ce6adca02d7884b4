package io.lapse.topics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lapse.events.v1.ChallengeExpired;
import io.lapse.infra.SchemaRegistry;
import io.lapse.serde.ConfluentAvroDeserializer;
import io.lapse.serde.ConfluentAvroSerializer;
import io.lapse.serde.HttpSchemaRegistryClient;
import io.lapse.serde.SampleEvents;
import io.lapse.serde.SchemaRegistryClient;
import io.lapse.serde.SchemaRegistryException;
import io.lapse.serde.SerdeConfig;
import io.lapse.testkit.LapseIntegration;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every event and snapshot type through the real registry (Apicurio's Confluent-compatible API,
 * started by the test kit with global compatibility BACKWARD), with the typed topics' serdes as the
 * services configure them. Subjects are asserted with the default topic names of {@code
 * docs/architecture.md} ("Topics"); tests that change a subject's history use subjects of their
 * own.
 */
@LapseIntegration
class RegistryRoundTripIT {
  private static String url;
  private static LapseTopics topics;

  @BeforeAll
  static void connect(SchemaRegistry registry) {
    url = registry.url();
    topics = LapseTopics.create(Map.of(SerdeConfig.SCHEMA_REGISTRY_URL, url));
  }

  /** A client with empty caches, so every assertion below is a real REST call. */
  private static SchemaRegistryClient freshClient() {
    return new HttpSchemaRegistryClient(List.of(url), null, false);
  }

  private static String unique(String name) {
    return "it-" + name + "-" + UUID.randomUUID();
  }

  static List<TopicCase> cases() {
    return TopicCase.all();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void shouldRoundTripEveryRecordTypeAsItsGeneratedClassUnderItsSubject(TopicCase c) {
    byte[] bytes = c.serialize(topics);

    assertThat(c.deserialize(topics, bytes))
        .isInstanceOf(c.sample().getClass())
        .isEqualTo(c.sample());
    SchemaRegistryClient registry = freshClient();
    int id = ByteBuffer.wrap(bytes, 1, 4).getInt();
    assertThat(bytes[0]).isZero();
    assertThat(registry.getSubjects()).contains(c.subject());
    assertThat(registry.getLatest(c.subject()).id()).isEqualTo(id);
    assertThat(registry.getById(id)).isEqualTo(c.sample().getSchema());
  }

  @Test
  void shouldRegisterEachTopicsSubjectsAsDesignMdNamesThem() {
    TopicCase.all().forEach(c -> c.serialize(topics));

    assertThat(freshClient().getSubjects())
        .contains(
            "challenge-created-value",
            "challenge-responses-value",
            "challenge-outcomes-io.lapse.events.v1.ChallengeApproved",
            "challenge-outcomes-io.lapse.events.v1.ChallengeDenied",
            "challenge-outcomes-io.lapse.events.v1.VerificationFailed",
            "challenge-outcomes-io.lapse.events.v1.VerificationRejected",
            "challenge-expired-value",
            "challenge-notifications-value",
            "lapse-services-value",
            "lapse-entities-value",
            "lapse-factors-value")
        .doesNotContain("challenge-outcomes-value");
  }

  @Test
  void shouldReadGenericRecordsWithoutSpecificAvroReader() {
    byte[] bytes =
        topics
            .challengeExpired()
            .valueSerializer()
            .serialize("challenge-expired", SampleEvents.challengeExpired());
    ConfluentAvroDeserializer<Object> generic = new ConfluentAvroDeserializer<>();
    generic.configure(Map.of(SerdeConfig.SCHEMA_REGISTRY_URL, url), false);

    Object read = generic.deserialize("challenge-expired", bytes);

    assertThat(read).isInstanceOf(GenericRecord.class).isNotInstanceOf(ChallengeExpired.class);
    assertThat(((GenericRecord) read).get("expiredAt"))
        .isEqualTo(SampleEvents.challengeExpired().getExpiredAt().toEpochMilli());
  }

  @Test
  void shouldBeRefusedWithHttp409WhenRegisteringAnIncompatibleSchema() {
    String subject = unique("incompatible") + "-value";
    Schema v1 = ChallengeExpired.getClassSchema();
    Schema breaking = withField(v1, "{\"name\":\"region\",\"type\":\"string\"}");
    Schema compatible =
        withField(v1, "{\"name\":\"region\",\"type\":[\"null\",\"string\"],\"default\":null}");
    SchemaRegistryClient registry = freshClient();
    registry.register(subject, v1);

    assertThat(registry.testCompatibility(subject, breaking)).isFalse();
    assertThat(registry.testCompatibility(subject, compatible)).isTrue();
    assertThatThrownBy(() -> registry.register(subject, breaking))
        .isInstanceOfSatisfying(
            SchemaRegistryException.class,
            e -> {
              assertThat(e.httpStatus()).isEqualTo(409);
              assertThat(e.isIncompatible()).isTrue();
            })
        .hasMessageContaining("incompatible");
    assertThat(registry.register(subject, compatible)).isPositive();
  }

  @Test
  void shouldLookUpInsteadOfRegisteringWhenAutoRegisterIsOff() {
    String topic = unique("lookup");
    ConfluentAvroSerializer<ChallengeExpired> lookupOnly = new ConfluentAvroSerializer<>();
    lookupOnly.configure(
        Map.of(SerdeConfig.SCHEMA_REGISTRY_URL, url, SerdeConfig.AUTO_REGISTER_SCHEMAS, false),
        false);

    assertThatThrownBy(() -> lookupOnly.serialize(topic, SampleEvents.challengeExpired()))
        .isInstanceOf(SerializationException.class)
        .cause()
        .isInstanceOfSatisfying(
            SchemaRegistryException.class, e -> assertThat(e.isSubjectNotFound()).isTrue());

    int id = freshClient().register(topic + "-value", ChallengeExpired.getClassSchema());
    byte[] bytes = lookupOnly.serialize(topic, SampleEvents.challengeExpired());
    assertThat(ByteBuffer.wrap(bytes, 1, 4).getInt()).isEqualTo(id);
  }

  @Test
  void shouldWriteWithTheLatestVersionWhenConfigured() {
    String topic = unique("latest");
    SchemaRegistryClient registry = freshClient();
    registry.register(topic + "-value", ChallengeExpired.getClassSchema());
    Schema v2 =
        withField(
            ChallengeExpired.getClassSchema(),
            "{\"name\":\"region\",\"type\":\"string\",\"default\":\"eu\"}");
    int latestId = registry.register(topic + "-value", v2);
    Map<String, Object> props = new HashMap<>();
    props.put(SerdeConfig.SCHEMA_REGISTRY_URL, url);
    props.put(SerdeConfig.AUTO_REGISTER_SCHEMAS, "false");
    props.put(SerdeConfig.USE_LATEST_VERSION, "true");
    ConfluentAvroSerializer<ChallengeExpired> serializer = new ConfluentAvroSerializer<>();
    serializer.configure(props, false);
    ConfluentAvroDeserializer<GenericRecord> generic = new ConfluentAvroDeserializer<>();
    generic.configure(props, false);

    byte[] bytes = serializer.serialize(topic, SampleEvents.challengeExpired());

    assertThat(ByteBuffer.wrap(bytes, 1, 4).getInt()).isEqualTo(latestId);
    GenericRecord read = generic.deserialize(topic, bytes);
    assertThat(read.get("region")).hasToString("eu");
    assertThat(read.get("sid")).hasToString(SampleEvents.CHALLENGE);
  }

  @Test
  void shouldReportASchemaIdTheRegistryDoesNotKnow() {
    ConfluentAvroDeserializer<Object> deserializer = new ConfluentAvroDeserializer<>();
    deserializer.configure(Map.of(SerdeConfig.SCHEMA_REGISTRY_URL, url), false);
    byte[] unknownId =
        ByteBuffer.allocate(6).put((byte) 0).putInt(Integer.MAX_VALUE - 7).put((byte) 2).array();

    assertThatThrownBy(() -> deserializer.deserialize("challenge-created", unknownId))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("which the schema registry does not know");
  }

  @Test
  void shouldFailOverFromADeadUrlToTheRegistry() throws IOException {
    String dead;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      dead = "http://127.0.0.1:" + socket.getLocalPort() + "/apis/ccompat/v7";
    }
    SchemaRegistryClient client = new HttpSchemaRegistryClient(List.of(dead, url), null, false);

    int id = client.register(unique("failover") + "-value", ChallengeExpired.getClassSchema());

    assertThat(freshClient().getById(id)).isEqualTo(ChallengeExpired.getClassSchema());
  }

  /** The schema with one more field (JSON) appended. */
  private static Schema withField(Schema schema, String fieldJson) {
    String json = schema.toString();
    int end = json.lastIndexOf("]}");
    return new Schema.Parser().parse(json.substring(0, end) + "," + fieldJson + "]}");
  }
}

package io.lapse.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lapse.events.v1.ChallengeExpired;
import io.lapse.state.v1.ServiceSnapshot;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Date;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.generic.GenericRecordBuilder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ConfluentAvroSerializerTest {
  private final MockScope scope = new MockScope();

  @AfterEach
  void dropRegistry() {
    scope.close();
  }

  @Test
  void shouldFrameAsMagicZeroThenBigEndianIdThenAvroBinary() throws IOException {
    scope.registry().register("unrelated-value", Schema.create(Schema.Type.STRING));
    ConfluentAvroSerializer<ChallengeExpired> serializer = scope.serializer(false);
    ChallengeExpired expired = SampleEvents.challengeExpired();

    byte[] bytes = serializer.serialize("challenge-expired", expired);

    int id = scope.registry().getLatest("challenge-expired-value").id();
    assertThat(id).isEqualTo(2);
    assertThat(Arrays.copyOfRange(bytes, 0, 5)).containsExactly(0, 0, 0, 0, 2);
    assertThat(Arrays.copyOfRange(bytes, 5, bytes.length)).isEqualTo(avroBinary(expired));
  }

  @Test
  void shouldRegisterValuesUnderTopicNameSubjectsByDefault() {
    scope.serializer(false).serialize("challenge-created", SampleEvents.challengeCreated());
    scope.serializer(true).serialize("lapse-services", SampleEvents.serviceSnapshot());

    assertThat(scope.registry().getSubjects())
        .containsExactlyInAnyOrder("challenge-created-value", "lapse-services-key");
  }

  @Test
  void shouldRegisterUnderRecordAndTopicRecordSubjectsWhenConfigured() {
    scope
        .serializer(
            false,
            SerdeConfig.VALUE_SUBJECT_NAME_STRATEGY,
            "io.confluent.kafka.serializers.subject.TopicRecordNameStrategy")
        .serialize("challenge-outcomes", SampleEvents.challengeApproved());
    scope
        .serializer(
            true,
            SerdeConfig.KEY_SUBJECT_NAME_STRATEGY,
            "io.confluent.kafka.serializers.subject.RecordNameStrategy")
        .serialize("anything", SampleEvents.challengeDenied());

    assertThat(scope.registry().getSubjects())
        .containsExactlyInAnyOrder(
            "challenge-outcomes-io.lapse.events.v1.ChallengeApproved",
            "io.lapse.events.v1.ChallengeDenied");
  }

  @Test
  void shouldWriteNullAsATombstoneWithoutTouchingTheRegistry() {
    assertThat(scope.serializer(false).serialize("lapse-factors", null)).isNull();
    assertThat(scope.registry().getSubjects()).isEmpty();
  }

  @Test
  void shouldLookTheSchemaUpInsteadOfRegisteringWhenAutoRegisterIsOff() {
    ConfluentAvroSerializer<ChallengeExpired> serializer =
        scope.serializer(false, SerdeConfig.AUTO_REGISTER_SCHEMAS, false);

    assertThatThrownBy(
            () -> serializer.serialize("challenge-expired", SampleEvents.challengeExpired()))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("subject challenge-expired-value")
        .hasCauseInstanceOf(SchemaRegistryException.class)
        .satisfies(
            e -> assertThat(((SchemaRegistryException) e.getCause()).isSubjectNotFound()).isTrue());
    assertThat(scope.registry().getSubjects()).isEmpty();

    int id =
        scope.registry().register("challenge-expired-value", ChallengeExpired.getClassSchema());
    byte[] bytes = serializer.serialize("challenge-expired", SampleEvents.challengeExpired());
    assertThat(ByteBuffer.wrap(bytes, 1, 4).getInt()).isEqualTo(id);
  }

  @Test
  void shouldWriteWithTheLatestVersionResolvedFromTheObjectsSchemaWhenConfigured() {
    Schema v2 = withExtraField(ServiceSnapshot.getClassSchema(), "\"default\":\"eu\"");
    scope.registry().register("lapse-services-value", ServiceSnapshot.getClassSchema());
    int latestId = scope.registry().register("lapse-services-value", v2);
    ConfluentAvroSerializer<ServiceSnapshot> serializer =
        scope.serializer(
            false,
            SerdeConfig.AUTO_REGISTER_SCHEMAS,
            "false",
            SerdeConfig.USE_LATEST_VERSION,
            "true");

    byte[] bytes = serializer.serialize("lapse-services", SampleEvents.serviceSnapshot());

    assertThat(ByteBuffer.wrap(bytes, 1, 4).getInt()).isEqualTo(latestId);
    GenericRecord written = decode(bytes, v2);
    assertThat(written.get("region")).hasToString("eu");
    assertThat(written.get("friendlyName")).hasToString("Lapse Demo");
    assertThat(written.get("totpSkew")).isEqualTo(1);
  }

  @Test
  void shouldRefuseTheLatestVersionWhenItCannotReadTheObjectsSchema() {
    Schema strictV2 = withExtraField(ServiceSnapshot.getClassSchema(), "\"doc\":\"no default\"");
    scope.registry().register("lapse-services-value", strictV2);
    ConfluentAvroSerializer<ServiceSnapshot> serializer =
        scope.serializer(
            false, SerdeConfig.AUTO_REGISTER_SCHEMAS, false, SerdeConfig.USE_LATEST_VERSION, true);

    assertThatThrownBy(() -> serializer.serialize("lapse-services", SampleEvents.serviceSnapshot()))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("latest version of subject lapse-services-value")
        .hasMessageContaining("region")
        .hasMessageContaining("latest.compatibility.strict=false");
  }

  @Test
  void shouldWriteWithAFixedSchemaIdWhenConfigured() {
    Schema v2 = withExtraField(ServiceSnapshot.getClassSchema(), "\"default\":\"us\"");
    int fixedId = scope.registry().register("elsewhere", v2);
    ConfluentAvroSerializer<ServiceSnapshot> serializer =
        scope.serializer(
            false, SerdeConfig.AUTO_REGISTER_SCHEMAS, false, SerdeConfig.USE_SCHEMA_ID, fixedId);

    byte[] bytes = serializer.serialize("lapse-services", SampleEvents.serviceSnapshot());

    assertThat(ByteBuffer.wrap(bytes, 1, 4).getInt()).isEqualTo(fixedId);
    assertThat(decode(bytes, v2).get("region")).hasToString("us");
  }

  @Test
  void shouldRefuseAFixedSchemaIdThatCannotReadTheObject() {
    int fixedId = scope.registry().register("elsewhere", Schema.create(Schema.Type.STRING));
    ConfluentAvroSerializer<ServiceSnapshot> serializer =
        scope.serializer(
            false, SerdeConfig.AUTO_REGISTER_SCHEMAS, false, SerdeConfig.USE_SCHEMA_ID, fixedId);

    assertThatThrownBy(() -> serializer.serialize("lapse-services", SampleEvents.serviceSnapshot()))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("schema id " + fixedId)
        .hasMessageContaining("id.compatibility.strict=false");
  }

  @Test
  void shouldReportTheRegistrysRefusalOfAnIncompatibleSchema() {
    scope.serializer(false).serialize("lapse-services", SampleEvents.serviceSnapshot());
    Schema incompatible =
        withExtraField(ServiceSnapshot.getClassSchema(), "\"doc\":\"required, no default\"");
    GenericRecord record =
        new GenericRecordBuilder(incompatible)
            .set("sid", "VA1")
            .set("accountSid", "AC1")
            .set("friendlyName", "x")
            .set("createdAt", 1L)
            .set("updatedAt", 2L)
            .set("region", "eu")
            .build();

    assertThatThrownBy(() -> scope.serializer(false).serialize("lapse-services", record))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("lapse-services-value")
        .cause()
        .isInstanceOfSatisfying(
            SchemaRegistryException.class, e -> assertThat(e.isIncompatible()).isTrue());
  }

  @Test
  void shouldWriteGenericRecordsWithRawOrConvertedLogicalTypesLikeTheGeneratedClass() {
    ChallengeExpired specific = SampleEvents.challengeExpired();
    GenericRecord rawMillis =
        new GenericRecordBuilder(ChallengeExpired.getClassSchema())
            .set("sid", specific.getSid())
            .set("serviceSid", specific.getServiceSid())
            .set("identity", specific.getIdentity())
            .set("factorSid", specific.getFactorSid())
            .set("expirationDate", specific.getExpirationDate().toEpochMilli())
            .set("expiredAt", specific.getExpiredAt().toEpochMilli())
            .build();
    GenericRecord instants = new GenericData.Record((GenericData.Record) rawMillis, true);
    instants.put("expirationDate", specific.getExpirationDate());
    instants.put("expiredAt", specific.getExpiredAt());

    byte[] fromSpecific = scope.serializer(false).serialize("challenge-expired", specific);
    byte[] fromRaw = scope.serializer(false).serialize("challenge-expired", rawMillis);
    byte[] fromInstants = scope.serializer(false).serialize("challenge-expired", instants);

    assertThat(fromRaw).isEqualTo(fromSpecific);
    assertThat(fromInstants).isEqualTo(fromSpecific);
  }

  @Test
  void shouldWriteAStringAsAnAvroString() {
    byte[] bytes = scope.serializer(true).serialize("keys", "abc");

    int id = scope.registry().getLatest("keys-key").id();
    assertThat(bytes).containsExactly(0, 0, 0, 0, id, 6, 'a', 'b', 'c');
    assertThat(scope.registry().getById(id)).isEqualTo(Schema.create(Schema.Type.STRING));
  }

  @Test
  void shouldWriteBytesRawWithoutALengthPrefix() {
    byte[] fromArray = scope.serializer(false).serialize("blobs", new byte[] {1, 2, 3});
    byte[] fromBuffer =
        scope.serializer(false).serialize("blobs", ByteBuffer.wrap(new byte[] {9, 1, 2, 3}, 1, 3));

    int id = scope.registry().getLatest("blobs-value").id();
    assertThat(fromArray).containsExactly(0, 0, 0, 0, id, 1, 2, 3);
    assertThat(fromBuffer).isEqualTo(fromArray);
  }

  @Test
  void shouldWriteNumbersAndBooleansAsAvroPrimitives() {
    assertThat(payload(scope.serializer(false).serialize("ints", 1))).containsExactly(2);
    assertThat(payload(scope.serializer(false).serialize("longs", -1L))).containsExactly(1);
    assertThat(payload(scope.serializer(false).serialize("bools", true))).containsExactly(1);
    assertThat(payload(scope.serializer(false).serialize("doubles", 1.0d)))
        .containsExactly(0, 0, 0, 0, 0, 0, 0xf0, 0x3f);
    assertThat(scope.registry().getSubjects())
        .containsExactlyInAnyOrder("ints-value", "longs-value", "bools-value", "doubles-value");
  }

  @Test
  void shouldRefuseARecordNameStrategyForAPrimitive() {
    ConfluentAvroSerializer<String> serializer =
        scope.serializer(true, SerdeConfig.KEY_SUBJECT_NAME_STRATEGY, "RecordNameStrategy");

    assertThatThrownBy(() -> serializer.serialize("t", "YC1"))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("named schema");
  }

  @Test
  void shouldRefuseAValueThatIsNotAvro() {
    ConfluentAvroSerializer<Object> serializer = scope.serializer(false);

    assertThatThrownBy(() -> serializer.serialize("t", new Date()))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("java.util.Date");
  }

  @Test
  void shouldRefuseUseBeforeConfigure() {
    assertThatThrownBy(() -> new ConfluentAvroSerializer<String>().serialize("t", "x"))
        .isInstanceOf(IllegalStateException.class);
  }

  private static int[] payload(byte[] bytes) {
    return toUnsigned(Arrays.copyOfRange(bytes, 5, bytes.length));
  }

  private static int[] toUnsigned(byte[] bytes) {
    int[] out = new int[bytes.length];
    for (int i = 0; i < bytes.length; i++) {
      out[i] = bytes[i] & 0xff;
    }
    return out;
  }

  /** The schema with one more string field {@code region}, with the given extra attributes. */
  static Schema withExtraField(Schema schema, String attributes) {
    String json = schema.toString();
    String field = "{\"name\":\"region\",\"type\":\"string\"," + attributes + "}";
    int end = json.lastIndexOf("]}");
    return new Schema.Parser().parse(json.substring(0, end) + "," + field + "]}");
  }

  private static byte[] avroBinary(ChallengeExpired record) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
    new SpecificDatumWriter<>(ChallengeExpired.class).write(record, encoder);
    encoder.flush();
    return out.toByteArray();
  }

  private static GenericRecord decode(byte[] bytes, Schema writer) {
    try {
      return new GenericDatumReader<GenericRecord>(writer)
          .read(null, DecoderFactory.get().binaryDecoder(bytes, 5, bytes.length - 5, null));
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }
}

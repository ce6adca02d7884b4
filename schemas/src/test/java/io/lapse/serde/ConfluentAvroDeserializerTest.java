package io.lapse.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lapse.events.v1.ChallengeApproved;
import io.lapse.events.v1.ChallengeExpired;
import io.lapse.state.v1.FactorSnapshot;
import io.lapse.state.v1.ServiceSnapshot;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.generic.GenericRecordBuilder;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ConfluentAvroDeserializerTest {
  private final MockScope scope = new MockScope();

  @AfterEach
  void dropRegistry() {
    scope.close();
  }

  private byte[] written(String topic, Object value) {
    return scope.serializer(false).serialize(topic, value);
  }

  @Test
  void shouldReadTheGeneratedClassWithSpecificAvroReader() {
    FactorSnapshot factor = SampleEvents.factorSnapshot();

    Object read =
        scope
            .deserializer(false, SerdeConfig.SPECIFIC_AVRO_READER, true)
            .deserialize("lapse-factors", written("lapse-factors", factor));

    assertThat(read).isInstanceOf(FactorSnapshot.class).isEqualTo(factor);
  }

  @Test
  void shouldReadGenericRecordsByDefaultWithLogicalTypesAsTheirUnderlyingType() {
    ChallengeExpired expired = SampleEvents.challengeExpired();

    Object read =
        scope
            .deserializer(false)
            .deserialize("challenge-expired", written("challenge-expired", expired));

    assertThat(read).isInstanceOf(GenericRecord.class).isNotInstanceOf(ChallengeExpired.class);
    GenericRecord record = (GenericRecord) read;
    assertThat(record.get("expiredAt")).isEqualTo(expired.getExpiredAt().toEpochMilli());
    assertThat(record.get("sid")).isEqualTo(expired.getSid());
  }

  @Test
  void shouldConvertLogicalTypesInGenericRecordsWhenConfigured() {
    ChallengeExpired expired = SampleEvents.challengeExpired();

    GenericRecord read =
        scope
            .<GenericRecord>deserializer(false, SerdeConfig.AVRO_USE_LOGICAL_TYPE_CONVERTERS, true)
            .deserialize("challenge-expired", written("challenge-expired", expired));

    assertThat(read.get("expiredAt")).isEqualTo(expired.getExpiredAt()).isInstanceOf(Instant.class);
  }

  @Test
  void shouldReadPrimitivesAsJavaValues() {
    ConfluentAvroDeserializer<Object> deserializer =
        scope.deserializer(false, SerdeConfig.SPECIFIC_AVRO_READER, true);

    assertThat(deserializer.deserialize("s", written("s", "YC1"))).isEqualTo("YC1");
    assertThat(deserializer.deserialize("i", written("i", 42))).isEqualTo(42);
    assertThat(deserializer.deserialize("l", written("l", 1L << 40))).isEqualTo(1L << 40);
    assertThat(deserializer.deserialize("b", written("b", false))).isEqualTo(false);
    assertThat(deserializer.deserialize("d", written("d", 0.5d))).isEqualTo(0.5d);
    assertThat(deserializer.deserialize("f", written("f", 0.25f))).isEqualTo(0.25f);
  }

  @Test
  void shouldReadBytesRawWithoutALengthPrefix() {
    int id = scope.registry().register("blobs-value", Schema.create(Schema.Type.BYTES));
    byte[] framed =
        ByteBuffer.allocate(8).put((byte) 0).putInt(id).put(new byte[] {7, 8, 9}).array();

    Object read = scope.deserializer(false).deserialize("blobs", framed);

    assertThat(read).isEqualTo(new byte[] {7, 8, 9});
  }

  @Test
  void shouldReadAnOlderWriterSchemaIntoTheCurrentClassFillingDefaults() {
    Schema v0 =
        SchemaBuilder.record("ServiceSnapshot")
            .namespace("io.lapse.state.v1")
            .fields()
            .requiredString("sid")
            .requiredString("accountSid")
            .requiredString("friendlyName")
            .name("createdAt")
            .type(timestampMillis())
            .noDefault()
            .name("updatedAt")
            .type(timestampMillis())
            .noDefault()
            .endRecord();
    GenericRecord old =
        new GenericRecordBuilder(v0)
            .set("sid", "VA1")
            .set("accountSid", "AC1")
            .set("friendlyName", "Old")
            .set("createdAt", 1_000L)
            .set("updatedAt", 2_000L)
            .build();

    ServiceSnapshot read =
        scope
            .<ServiceSnapshot>deserializer(false, SerdeConfig.SPECIFIC_AVRO_READER, true)
            .deserialize("lapse-services", written("lapse-services", old));

    assertThat(read.getFriendlyName()).isEqualTo("Old");
    assertThat(read.getUpdatedAt()).isEqualTo(Instant.ofEpochMilli(2_000));
    assertThat(read.getTotpTimeStep()).isEqualTo(30);
    assertThat(read.getTotpCodeLength()).isEqualTo(6);
    assertThat(read.getPushIncludeDate()).isFalse();
    assertThat(read.getTotpIssuer()).isNull();
  }

  @Test
  void shouldReadIntoTheConfiguredValueType() {
    Object read =
        scope
            .deserializer(
                false,
                SerdeConfig.SPECIFIC_AVRO_READER,
                true,
                SerdeConfig.SPECIFIC_AVRO_VALUE_TYPE,
                ChallengeExpired.class.getName())
            .deserialize(
                "challenge-expired", written("challenge-expired", SampleEvents.challengeExpired()));

    assertThat(read).isEqualTo(SampleEvents.challengeExpired());
  }

  @Test
  void shouldFailClearlyWhenTheConfiguredTypeCannotReadTheWriterSchema() {
    ConfluentAvroDeserializer<Object> deserializer =
        scope.deserializer(
            false,
            SerdeConfig.SPECIFIC_AVRO_READER,
            true,
            SerdeConfig.SPECIFIC_AVRO_VALUE_TYPE,
            ChallengeApproved.class);
    byte[] bytes = written("challenge-expired", SampleEvents.challengeExpired());

    assertThatThrownBy(() -> deserializer.deserialize("challenge-expired", bytes))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("io.lapse.events.v1.ChallengeExpired")
        .hasMessageContaining("challenge-expired");
  }

  @Test
  void shouldFailClearlyWhenNoGeneratedClassExistsForTheWriterSchema() {
    Schema foreign =
        SchemaBuilder.record("OrderPlaced")
            .namespace("com.example.events")
            .fields()
            .requiredString("orderId")
            .endRecord();
    byte[] bytes =
        written("orders", new GenericRecordBuilder(foreign).set("orderId", "o-1").build());
    ConfluentAvroDeserializer<Object> specific =
        scope.deserializer(false, SerdeConfig.SPECIFIC_AVRO_READER, true);

    assertThatThrownBy(() -> specific.deserialize("orders", bytes))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("no generated class com.example.events.OrderPlaced");
    assertThat(scope.deserializer(false).deserialize("orders", bytes))
        .isInstanceOf(GenericRecord.class);
  }

  @Test
  void shouldReturnNullForATombstone() {
    assertThat(scope.deserializer(false).deserialize("t", null)).isNull();
    assertThat(scope.deserializer(false).deserialize("t", new RecordHeaders(), (byte[]) null))
        .isNull();
  }

  @Test
  void shouldRejectConfluentGuidFramingNamingTheCause() {
    byte[] guidFramed = new byte[21];
    guidFramed[0] = 1;

    assertThatThrownBy(() -> scope.deserializer(false).deserialize("t", guidFramed))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("magic byte 1")
        .hasMessageContaining("GUID");
  }

  @Test
  void shouldRejectAnUnknownMagicByteNamingIt() {
    byte[] json = "{\"sid\":\"YC1\"}".getBytes(StandardCharsets.UTF_8);

    assertThatThrownBy(() -> scope.deserializer(false).deserialize("t", json))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("Unknown magic byte 0x7b")
        .hasMessageContaining("topic t");
  }

  @Test
  void shouldRejectSchemaIdsCarriedInHeaders() {
    byte[] bytes = written("challenge-expired", SampleEvents.challengeExpired());
    RecordHeaders valueHeader = new RecordHeaders();
    valueHeader.add(WireFormat.VALUE_SCHEMA_ID_HEADER, new byte[17]);
    RecordHeaders keyHeader = new RecordHeaders();
    keyHeader.add(WireFormat.KEY_SCHEMA_ID_HEADER, new byte[17]);

    assertThatThrownBy(
            () -> scope.deserializer(false).deserialize("challenge-expired", valueHeader, bytes))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("__value_schema_id header");
    assertThatThrownBy(
            () -> scope.deserializer(true).deserialize("challenge-expired", keyHeader, bytes))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("__key_schema_id header");
    assertThat(scope.deserializer(false).deserialize("challenge-expired", keyHeader, bytes))
        .isNotNull();
  }

  @Test
  void shouldRejectARecordTooShortForTheHeader() {
    assertThatThrownBy(() -> scope.deserializer(false).deserialize("t", new byte[] {0, 0, 1}))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("3 bytes, too short");
  }

  @Test
  void shouldReportAnUnknownSchemaIdClearly() {
    byte[] bytes = {0, 0, 0, 3, (byte) 0xe7, 2};

    assertThatThrownBy(() -> scope.deserializer(false).deserialize("challenge-created", bytes))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("names schema id 999, which the schema registry does not know")
        .hasMessageContaining("challenge-created");
  }

  @Test
  void shouldReportCorruptAvroDataClearly() {
    byte[] bytes = written("challenge-expired", SampleEvents.challengeExpired());
    byte[] truncated = Arrays.copyOf(bytes, 12);

    assertThatThrownBy(() -> scope.deserializer(false).deserialize("challenge-expired", truncated))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("Could not decode Avro data with writer schema id")
        .hasMessageContaining("io.lapse.events.v1.ChallengeExpired");
  }

  @Test
  void shouldRefuseUseBeforeConfigure() {
    assertThatThrownBy(() -> new ConfluentAvroDeserializer<>().deserialize("t", new byte[5]))
        .isInstanceOf(IllegalStateException.class);
  }

  private static Schema timestampMillis() {
    return org.apache.avro.LogicalTypes.timestampMillis()
        .addToSchema(Schema.create(Schema.Type.LONG));
  }
}

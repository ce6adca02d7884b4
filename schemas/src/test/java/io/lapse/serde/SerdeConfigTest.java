package io.lapse.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lapse.events.v1.ChallengeCreated;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Configuration keys and defaults are Confluent's; what cannot be honoured fails at configure. */
class SerdeConfigTest {

  private static Map<String, Object> props(Object... keyValues) {
    Map<String, Object> props = new HashMap<>();
    props.put(SerdeConfig.SCHEMA_REGISTRY_URL, "http://127.0.0.1:8081");
    for (int i = 0; i < keyValues.length; i += 2) {
      props.put((String) keyValues[i], keyValues[i + 1]);
    }
    return props;
  }

  @Test
  void shouldUseConfluentDefaults() {
    SerdeConfig config = SerdeConfig.parse(props());

    assertThat(config.autoRegisterSchemas()).isTrue();
    assertThat(config.useLatestVersion()).isFalse();
    assertThat(config.latestCompatibilityStrict()).isTrue();
    assertThat(config.useSchemaId()).isEqualTo(-1);
    assertThat(config.idCompatibilityStrict()).isTrue();
    assertThat(config.specificAvroReader()).isFalse();
    assertThat(config.specificKeyType()).isNull();
    assertThat(config.specificValueType()).isNull();
    assertThat(config.useLogicalTypeConverters()).isFalse();
    assertThat(config.keyStrategy()).isEqualTo(SubjectNameStrategy.TOPIC);
    assertThat(config.valueStrategy()).isEqualTo(SubjectNameStrategy.TOPIC);
    assertThat(config.basicAuthUserInfo()).isNull();
    assertThat(config.bearerAuthToken()).isNull();
    assertThat(config.normalizeSchemas()).isFalse();
    assertThat(config.latestCacheTtlSeconds()).isEqualTo(-1);
  }

  @Test
  void shouldRequireTheRegistryUrl() {
    Map<String, Object> props = props();
    props.remove(SerdeConfig.SCHEMA_REGISTRY_URL);

    assertThatThrownBy(() -> SerdeConfig.parse(props))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("schema.registry.url");
  }

  @Test
  void shouldSplitSeveralUrlsKeepingTheirPathsAndDroppingTrailingSlashes() {
    SerdeConfig config =
        SerdeConfig.parse(
            props(
                SerdeConfig.SCHEMA_REGISTRY_URL,
                " http://a:8081/apis/ccompat/v7/ , https://b/registry"));

    assertThat(config.registryUrls())
        .containsExactly("http://a:8081/apis/ccompat/v7", "https://b/registry");
    assertThat(config.isMock()).isFalse();
  }

  @Test
  void shouldAcceptTheUrlsAsAList() {
    SerdeConfig config =
        SerdeConfig.parse(
            props(SerdeConfig.SCHEMA_REGISTRY_URL, List.of("http://a:1/x", "http://b:2/y")));

    assertThat(config.registryUrls()).containsExactly("http://a:1/x", "http://b:2/y");
  }

  @Test
  void shouldSelectTheMockRegistryByScope() {
    SerdeConfig config = SerdeConfig.parse(props(SerdeConfig.SCHEMA_REGISTRY_URL, "mock://orders"));

    assertThat(config.isMock()).isTrue();
    assertThat(config.mockScope()).isEqualTo("orders");
    assertThat(SchemaRegistries.client(config)).isSameAs(MockSchemaRegistry.forScope("orders"));
    MockSchemaRegistry.dropScope("orders");
  }

  @Test
  void shouldRefuseMixingMockAndRealUrls() {
    assertThatThrownBy(
            () ->
                SerdeConfig.parse(
                    props(SerdeConfig.SCHEMA_REGISTRY_URL, "mock://a,http://127.0.0.1:8081")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("cannot be mixed");
  }

  @Test
  void shouldRefuseAUrlThatIsNotHttp() {
    assertThatThrownBy(
            () -> SerdeConfig.parse(props(SerdeConfig.SCHEMA_REGISTRY_URL, "127.0.0.1:8081")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("schema.registry.url");
  }

  @Test
  void shouldShareOneClientPerConnectionConfiguration() {
    SerdeConfig a = SerdeConfig.parse(props(SerdeConfig.AUTO_REGISTER_SCHEMAS, "false"));
    SerdeConfig b = SerdeConfig.parse(props(SerdeConfig.SPECIFIC_AVRO_READER, "true"));
    SerdeConfig c =
        SerdeConfig.parse(props(SerdeConfig.SCHEMA_REGISTRY_URL, "http://127.0.0.1:8082"));

    assertThat(SchemaRegistries.client(a)).isSameAs(SchemaRegistries.client(b));
    assertThat(SchemaRegistries.client(a)).isNotSameAs(SchemaRegistries.client(c));
  }

  @Test
  void shouldParseBooleansAndNumbersGivenAsStringsOrValues() {
    SerdeConfig config =
        SerdeConfig.parse(
            props(
                SerdeConfig.AUTO_REGISTER_SCHEMAS, "FALSE",
                SerdeConfig.USE_LATEST_VERSION, true,
                SerdeConfig.LATEST_COMPATIBILITY_STRICT, "false",
                SerdeConfig.USE_SCHEMA_ID, "42",
                SerdeConfig.LATEST_CACHE_TTL, 60,
                SerdeConfig.AVRO_USE_LOGICAL_TYPE_CONVERTERS, "true",
                SerdeConfig.NORMALIZE_SCHEMAS, "true"));

    assertThat(config.autoRegisterSchemas()).isFalse();
    assertThat(config.useLatestVersion()).isTrue();
    assertThat(config.latestCompatibilityStrict()).isFalse();
    assertThat(config.useSchemaId()).isEqualTo(42);
    assertThat(config.latestCacheTtlSeconds()).isEqualTo(60);
    assertThat(config.useLogicalTypeConverters()).isTrue();
    assertThat(config.normalizeSchemas()).isTrue();
  }

  @Test
  void shouldRefuseABooleanThatIsNeitherTrueNorFalse() {
    assertThatThrownBy(() -> SerdeConfig.parse(props(SerdeConfig.AUTO_REGISTER_SCHEMAS, "yes")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("auto.register.schemas");
  }

  @ParameterizedTest
  @CsvSource({
    "io.confluent.kafka.serializers.subject.TopicNameStrategy, TOPIC",
    "io.confluent.kafka.serializers.subject.RecordNameStrategy, RECORD",
    "io.confluent.kafka.serializers.subject.TopicRecordNameStrategy, TOPIC_RECORD",
    "TopicRecordNameStrategy, TOPIC_RECORD",
    "topic_record, TOPIC_RECORD"
  })
  void shouldAcceptConfluentStrategyClassNames(String value, SubjectNameStrategy expected) {
    SerdeConfig config =
        SerdeConfig.parse(
            props(
                SerdeConfig.KEY_SUBJECT_NAME_STRATEGY, value,
                SerdeConfig.VALUE_SUBJECT_NAME_STRATEGY, value));

    assertThat(config.strategy(true)).isEqualTo(expected);
    assertThat(config.strategy(false)).isEqualTo(expected);
  }

  @ParameterizedTest
  @CsvSource({
    "io.confluent.kafka.serializers.subject.AssociatedNameStrategy",
    "com.example.TopicNameStrategy"
  })
  void shouldRefuseStrategiesItCannotHonour(String value) {
    assertThatThrownBy(
            () -> SerdeConfig.parse(props(SerdeConfig.VALUE_SUBJECT_NAME_STRATEGY, value)))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(value);
  }

  @Test
  void shouldTakeBasicAuthFromUserInfoOrItsDeprecatedKey() {
    SerdeConfig current =
        SerdeConfig.parse(
            props(
                SerdeConfig.BASIC_AUTH_CREDENTIALS_SOURCE, "USER_INFO",
                SerdeConfig.BASIC_AUTH_USER_INFO, "alice:pw"));
    SerdeConfig deprecated =
        SerdeConfig.parse(
            props(
                SerdeConfig.BASIC_AUTH_CREDENTIALS_SOURCE, "USER_INFO",
                SerdeConfig.SCHEMA_REGISTRY_USER_INFO, "bob:pw"));

    assertThat(current.basicAuthUserInfo()).isEqualTo("alice:pw");
    assertThat(deprecated.basicAuthUserInfo()).isEqualTo("bob:pw");
  }

  @Test
  void shouldIgnoreUserInfoUnlessItsSourceIsSelected() {
    SerdeConfig config = SerdeConfig.parse(props(SerdeConfig.BASIC_AUTH_USER_INFO, "alice:pw"));

    assertThat(config.basicAuthUserInfo()).isNull();
  }

  @Test
  void shouldRequireUserInfoWhenItsSourceIsSelected() {
    assertThatThrownBy(
            () -> SerdeConfig.parse(props(SerdeConfig.BASIC_AUTH_CREDENTIALS_SOURCE, "USER_INFO")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("basic.auth.user.info");
  }

  @Test
  void shouldRefuseAnUnsupportedCredentialsSource() {
    assertThatThrownBy(
            () ->
                SerdeConfig.parse(props(SerdeConfig.BASIC_AUTH_CREDENTIALS_SOURCE, "SASL_INHERIT")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("SASL_INHERIT");
  }

  @Test
  void shouldTakeAStaticBearerToken() {
    SerdeConfig config =
        SerdeConfig.parse(
            props(
                SerdeConfig.BEARER_AUTH_CREDENTIALS_SOURCE, "STATIC_TOKEN",
                SerdeConfig.BEARER_AUTH_TOKEN, "tok"));

    assertThat(config.bearerAuthToken()).isEqualTo("tok");
  }

  @Test
  void shouldLoadConfiguredSpecificTypesByNameOrClass() {
    SerdeConfig config =
        SerdeConfig.parse(
            props(
                SerdeConfig.SPECIFIC_AVRO_KEY_TYPE,
                ChallengeCreated.class,
                SerdeConfig.SPECIFIC_AVRO_VALUE_TYPE,
                ChallengeCreated.class.getName()));

    assertThat(config.specificType(true)).isEqualTo(ChallengeCreated.class);
    assertThat(config.specificType(false)).isEqualTo(ChallengeCreated.class);
  }

  @Test
  void shouldRefuseASpecificTypeThatIsNotAGeneratedClass() {
    assertThatThrownBy(
            () -> SerdeConfig.parse(props(SerdeConfig.SPECIFIC_AVRO_VALUE_TYPE, String.class)))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("SpecificRecord");
    assertThatThrownBy(
            () -> SerdeConfig.parse(props(SerdeConfig.SPECIFIC_AVRO_VALUE_TYPE, "no.such.Type")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("class not found");
  }

  @Test
  void shouldShowNoCredentialInItsTextForm() {
    SerdeConfig config =
        SerdeConfig.parse(
            props(
                SerdeConfig.SCHEMA_REGISTRY_URL,
                "https://alice:url-pw@reg1.example.com,https://bob:p%40ss@reg2.example.com/api",
                SerdeConfig.BASIC_AUTH_CREDENTIALS_SOURCE,
                "USER_INFO",
                SerdeConfig.BASIC_AUTH_USER_INFO,
                "carol:info-pw"));

    assertThat(config.toString())
        .contains("https://****@reg1.example.com", "https://****@reg2.example.com/api")
        .doesNotContain("url-pw", "p%40ss", "info-pw", "alice", "carol");
  }

  @Test
  void shouldShowNoBearerTokenInItsTextForm() {
    SerdeConfig config =
        SerdeConfig.parse(
            props(
                SerdeConfig.BEARER_AUTH_CREDENTIALS_SOURCE, "STATIC_TOKEN",
                SerdeConfig.BEARER_AUTH_TOKEN, "bearer-secret"));

    assertThat(config.toString()).contains("bearerAuthToken=****").doesNotContain("bearer-secret");
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "http://alice:pw 1@reg.example.com", // not a URI: the parser would echo it
        "http://alice:p@ss@reg.example.com", // no host: the '@' in the password is not encoded
        "ftp://alice:pw-1@reg.example.com",
        "mock://x,http://alice:pw-1@reg.example.com"
      })
  void shouldRefuseABadUrlWithoutRepeatingItsPassword(String url) {
    assertThatThrownBy(() -> SerdeConfig.parse(props(SerdeConfig.SCHEMA_REGISTRY_URL, url)))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("schema.registry.url")
        .hasMessageContaining("****@")
        .hasMessageNotContainingAny("pw 1", "p@ss", "pw-1", "alice");
  }
}

package io.lapse.serde;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;

/**
 * The serde's configuration, parsed once from Kafka-style properties. Keys and defaults are
 * Confluent's, so a configuration written for Confluent's serde works unchanged.
 *
 * @param registryUrls base URLs (each may carry a path, e.g. Apicurio's {@code /apis/ccompat/v7}),
 *     or a single {@code mock://scope}
 * @param autoRegisterSchemas register the writer schema (true) rather than look it up
 * @param useLatestVersion with auto-registration off, write with the subject's latest schema
 * @param specificAvroReader return generated SpecificRecord classes rather than GenericRecord
 * @param keyStrategy subject strategy for keys
 * @param valueStrategy subject strategy for values
 * @param basicAuthUserInfo {@code user:password} for HTTP basic auth, or null
 * @param normalizeSchemas ask the registry to normalize schemas
 */
public record SerdeConfig(
    List<String> registryUrls,
    boolean autoRegisterSchemas,
    boolean useLatestVersion,
    boolean specificAvroReader,
    SubjectNameStrategy keyStrategy,
    SubjectNameStrategy valueStrategy,
    String basicAuthUserInfo,
    boolean normalizeSchemas) {

  public static final String SCHEMA_REGISTRY_URL = "schema.registry.url";
  public static final String AUTO_REGISTER_SCHEMAS = "auto.register.schemas";
  public static final String USE_LATEST_VERSION = "use.latest.version";
  public static final String SPECIFIC_AVRO_READER = "specific.avro.reader";
  public static final String KEY_SUBJECT_NAME_STRATEGY = "key.subject.name.strategy";
  public static final String VALUE_SUBJECT_NAME_STRATEGY = "value.subject.name.strategy";
  public static final String BASIC_AUTH_CREDENTIALS_SOURCE = "basic.auth.credentials.source";
  public static final String BASIC_AUTH_USER_INFO = "basic.auth.user.info";
  public static final String NORMALIZE_SCHEMAS = "normalize.schemas";

  public SerdeConfig {
    registryUrls = List.copyOf(registryUrls);
  }

  /** Parses the serde's keys out of a Kafka client or Streams configuration map. */
  public static SerdeConfig parse(Map<String, ?> props) {
    Object url = props.get(SCHEMA_REGISTRY_URL);
    if (url == null || url.toString().isBlank()) {
      throw new ConfigException(
          "Missing required configuration \"" + SCHEMA_REGISTRY_URL + "\" which has no default");
    }
    List<String> urls =
        Arrays.stream(url.toString().split(","))
            .map(String::trim)
            .filter(s -> !s.isEmpty())
            .map(s -> s.endsWith("/") ? s.substring(0, s.length() - 1) : s)
            .toList();
    String source = string(props, BASIC_AUTH_CREDENTIALS_SOURCE, "URL");
    String userInfo = null;
    if ("USER_INFO".equalsIgnoreCase(source)) {
      userInfo = string(props, BASIC_AUTH_USER_INFO, null);
    }
    return new SerdeConfig(
        urls,
        bool(props, AUTO_REGISTER_SCHEMAS, true),
        bool(props, USE_LATEST_VERSION, false),
        bool(props, SPECIFIC_AVRO_READER, false),
        SubjectNameStrategy.parse(props.get(KEY_SUBJECT_NAME_STRATEGY)),
        SubjectNameStrategy.parse(props.get(VALUE_SUBJECT_NAME_STRATEGY)),
        userInfo,
        bool(props, NORMALIZE_SCHEMAS, false));
  }

  /** The subject strategy for keys or values. */
  public SubjectNameStrategy strategy(boolean isKey) {
    return isKey ? keyStrategy : valueStrategy;
  }

  /** True when the URL selects the in-memory registry for unit tests. */
  public boolean isMock() {
    return registryUrls.size() == 1 && registryUrls.get(0).startsWith("mock://");
  }

  private static boolean bool(Map<String, ?> props, String key, boolean dflt) {
    Object v = props.get(key);
    return v == null ? dflt : Boolean.parseBoolean(v.toString().trim());
  }

  private static String string(Map<String, ?> props, String key, String dflt) {
    Object v = props.get(key);
    return v == null ? dflt : v.toString();
  }
}

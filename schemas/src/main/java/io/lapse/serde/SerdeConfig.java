package io.lapse.serde;

import io.lapse.config.Masking;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.config.ConfigException;

/**
 * The serde's configuration, parsed once from Kafka-style properties. Keys and defaults are
 * Confluent's ({@code AbstractKafkaSchemaSerDeConfig}, {@code KafkaAvroSerializerConfig}, {@code
 * KafkaAvroDeserializerConfig}), so a configuration written for Confluent's serde works unchanged;
 * a value this serde cannot honour fails at configure time rather than being ignored.
 *
 * @param registryUrls base URLs (each may carry a path, e.g. Apicurio's {@code /apis/ccompat/v7},
 *     and user info for {@code basic.auth.credentials.source=URL}), or a single {@code
 *     mock://scope}
 * @param autoRegisterSchemas register the writer schema (true) rather than look it up
 * @param useLatestVersion with auto-registration off, write with the subject's latest schema
 * @param specificAvroReader return generated SpecificRecord classes rather than GenericRecord
 * @param keyStrategy subject strategy for keys
 * @param valueStrategy subject strategy for values
 * @param basicAuthUserInfo {@code user:password} for HTTP basic auth from {@code
 *     basic.auth.user.info}, or null (URL user info is taken from {@code registryUrls})
 * @param normalizeSchemas ask the registry to normalize schemas
 * @param latestCompatibilityStrict with {@code use.latest.version}, require the latest schema to
 *     read data written with the object's own schema
 * @param useSchemaId a fixed schema id to write with, or -1
 * @param idCompatibilityStrict with {@code use.schema.id}, require that schema to read data written
 *     with the object's own schema
 * @param specificKeyType the generated class keys are read into, or null to find it by name
 * @param specificValueType the generated class values are read into, or null to find it by name
 * @param useLogicalTypeConverters read generic records with logical types converted (Instant,
 *     LocalDate, UUID, BigDecimal) rather than as their underlying long, int, string or bytes
 * @param latestCacheTtlSeconds how long a subject's latest version is cached, -1 for ever
 * @param bearerAuthToken static bearer token, or null
 */
public record SerdeConfig(
    List<String> registryUrls,
    boolean autoRegisterSchemas,
    boolean useLatestVersion,
    boolean specificAvroReader,
    SubjectNameStrategy keyStrategy,
    SubjectNameStrategy valueStrategy,
    String basicAuthUserInfo,
    boolean normalizeSchemas,
    boolean latestCompatibilityStrict,
    int useSchemaId,
    boolean idCompatibilityStrict,
    Class<? extends SpecificRecord> specificKeyType,
    Class<? extends SpecificRecord> specificValueType,
    boolean useLogicalTypeConverters,
    long latestCacheTtlSeconds,
    String bearerAuthToken) {

  public static final String SCHEMA_REGISTRY_URL = "schema.registry.url";
  public static final String AUTO_REGISTER_SCHEMAS = "auto.register.schemas";
  public static final String USE_LATEST_VERSION = "use.latest.version";
  public static final String LATEST_COMPATIBILITY_STRICT = "latest.compatibility.strict";
  public static final String LATEST_CACHE_TTL = "latest.cache.ttl.sec";
  public static final String USE_SCHEMA_ID = "use.schema.id";
  public static final String ID_COMPATIBILITY_STRICT = "id.compatibility.strict";
  public static final String SPECIFIC_AVRO_READER = "specific.avro.reader";
  public static final String SPECIFIC_AVRO_KEY_TYPE = "specific.avro.key.type";
  public static final String SPECIFIC_AVRO_VALUE_TYPE = "specific.avro.value.type";
  public static final String AVRO_USE_LOGICAL_TYPE_CONVERTERS = "avro.use.logical.type.converters";
  public static final String KEY_SUBJECT_NAME_STRATEGY = "key.subject.name.strategy";
  public static final String VALUE_SUBJECT_NAME_STRATEGY = "value.subject.name.strategy";
  public static final String BASIC_AUTH_CREDENTIALS_SOURCE = "basic.auth.credentials.source";
  public static final String BASIC_AUTH_USER_INFO = "basic.auth.user.info";

  /** Confluent's deprecated spelling of {@link #BASIC_AUTH_USER_INFO}, still honoured. */
  public static final String SCHEMA_REGISTRY_USER_INFO = "schema.registry.basic.auth.user.info";

  public static final String BEARER_AUTH_CREDENTIALS_SOURCE = "bearer.auth.credentials.source";
  public static final String BEARER_AUTH_TOKEN = "bearer.auth.token";
  public static final String NORMALIZE_SCHEMAS = "normalize.schemas";

  /** The scheme that selects the in-memory registry of {@link MockSchemaRegistry}. */
  public static final String MOCK_SCHEME = "mock://";

  public SerdeConfig {
    registryUrls = List.copyOf(registryUrls);
  }

  /** The original eight-component form; the newer settings take Confluent's defaults. */
  public SerdeConfig(
      List<String> registryUrls,
      boolean autoRegisterSchemas,
      boolean useLatestVersion,
      boolean specificAvroReader,
      SubjectNameStrategy keyStrategy,
      SubjectNameStrategy valueStrategy,
      String basicAuthUserInfo,
      boolean normalizeSchemas) {
    this(
        registryUrls,
        autoRegisterSchemas,
        useLatestVersion,
        specificAvroReader,
        keyStrategy,
        valueStrategy,
        basicAuthUserInfo,
        normalizeSchemas,
        true,
        -1,
        true,
        null,
        null,
        false,
        -1,
        null);
  }

  /** Parses the serde's keys out of a Kafka client or Streams configuration map. */
  public static SerdeConfig parse(Map<String, ?> props) {
    return parse(props, true);
  }

  /**
   * Parses the keys; with {@code requireUrl} false (a serde built on an explicit registry client)
   * the URL may be absent.
   */
  static SerdeConfig parse(Map<String, ?> props, boolean requireUrl) {
    List<String> urls = urls(props.get(SCHEMA_REGISTRY_URL));
    if (urls.isEmpty() && requireUrl) {
      throw new ConfigException(
          "Missing required configuration \"" + SCHEMA_REGISTRY_URL + "\" which has no default");
    }
    String basicSource = string(props, BASIC_AUTH_CREDENTIALS_SOURCE, "URL");
    String userInfo = null;
    switch (basicSource.toUpperCase(Locale.ROOT)) {
      case "URL":
        break; // user info, if any, is part of each URL; the HTTP client takes it from there
      case "USER_INFO":
        userInfo = string(props, BASIC_AUTH_USER_INFO, null);
        if (userInfo == null || userInfo.isEmpty()) {
          userInfo = string(props, SCHEMA_REGISTRY_USER_INFO, null);
        }
        if (userInfo == null || userInfo.isEmpty()) {
          throw new ConfigException(
              BASIC_AUTH_USER_INFO
                  + " must be set (user:password) when "
                  + BASIC_AUTH_CREDENTIALS_SOURCE
                  + "=USER_INFO");
        }
        break;
      default:
        throw new ConfigException(
            BASIC_AUTH_CREDENTIALS_SOURCE,
            basicSource,
            "supported sources are URL and USER_INFO (SASL_INHERIT is not)");
    }
    String bearerToken = null;
    Object bearerSource = props.get(BEARER_AUTH_CREDENTIALS_SOURCE);
    if (bearerSource != null) {
      if (!"STATIC_TOKEN".equalsIgnoreCase(bearerSource.toString().trim())) {
        throw new ConfigException(
            BEARER_AUTH_CREDENTIALS_SOURCE, bearerSource, "the supported source is STATIC_TOKEN");
      }
      bearerToken = string(props, BEARER_AUTH_TOKEN, null);
      if (bearerToken == null || bearerToken.isEmpty()) {
        throw new ConfigException(
            BEARER_AUTH_TOKEN + " must be set when " + BEARER_AUTH_CREDENTIALS_SOURCE + " is set");
      }
      if (props.containsKey(BASIC_AUTH_CREDENTIALS_SOURCE)) {
        throw new ConfigException(
            "Only one of "
                + BASIC_AUTH_CREDENTIALS_SOURCE
                + " and "
                + BEARER_AUTH_CREDENTIALS_SOURCE
                + " may be set");
      }
    }
    return new SerdeConfig(
        urls,
        bool(props, AUTO_REGISTER_SCHEMAS, true),
        bool(props, USE_LATEST_VERSION, false),
        bool(props, SPECIFIC_AVRO_READER, false),
        strategy(props, KEY_SUBJECT_NAME_STRATEGY),
        strategy(props, VALUE_SUBJECT_NAME_STRATEGY),
        userInfo,
        bool(props, NORMALIZE_SCHEMAS, false),
        bool(props, LATEST_COMPATIBILITY_STRICT, true),
        (int) number(props, USE_SCHEMA_ID, -1),
        bool(props, ID_COMPATIBILITY_STRICT, true),
        specificType(props, SPECIFIC_AVRO_KEY_TYPE),
        specificType(props, SPECIFIC_AVRO_VALUE_TYPE),
        bool(props, AVRO_USE_LOGICAL_TYPE_CONVERTERS, false),
        number(props, LATEST_CACHE_TTL, -1),
        bearerToken);
  }

  /** All components, with the user info of the URLs, the user info and the token masked. */
  @Override
  public String toString() {
    return "SerdeConfig[registryUrls="
        + Masking.maskUserInfo(String.valueOf(registryUrls))
        + ", autoRegisterSchemas="
        + autoRegisterSchemas
        + ", useLatestVersion="
        + useLatestVersion
        + ", specificAvroReader="
        + specificAvroReader
        + ", keyStrategy="
        + keyStrategy
        + ", valueStrategy="
        + valueStrategy
        + ", basicAuthUserInfo="
        + (basicAuthUserInfo == null ? null : Masking.MASK)
        + ", normalizeSchemas="
        + normalizeSchemas
        + ", latestCompatibilityStrict="
        + latestCompatibilityStrict
        + ", useSchemaId="
        + useSchemaId
        + ", idCompatibilityStrict="
        + idCompatibilityStrict
        + ", specificKeyType="
        + specificKeyType
        + ", specificValueType="
        + specificValueType
        + ", useLogicalTypeConverters="
        + useLogicalTypeConverters
        + ", latestCacheTtlSeconds="
        + latestCacheTtlSeconds
        + ", bearerAuthToken="
        + (bearerAuthToken == null ? null : Masking.MASK)
        + "]";
  }

  /** The subject strategy for keys or values. */
  public SubjectNameStrategy strategy(boolean isKey) {
    return isKey ? keyStrategy : valueStrategy;
  }

  /** The configured generated class for keys or values, or null. */
  public Class<? extends SpecificRecord> specificType(boolean isKey) {
    return isKey ? specificKeyType : specificValueType;
  }

  /** True when the URL selects the in-memory registry for unit tests. */
  public boolean isMock() {
    return registryUrls.size() == 1 && registryUrls.get(0).startsWith(MOCK_SCHEME);
  }

  /** The mock registry's scope ({@code mock://scope}); only meaningful when {@link #isMock}. */
  public String mockScope() {
    return registryUrls.get(0).substring(MOCK_SCHEME.length());
  }

  private static List<String> urls(Object value) {
    if (value == null) {
      return List.of();
    }
    Collection<?> parts =
        value instanceof Collection<?> c ? c : Arrays.asList(value.toString().split(","));
    List<String> urls = new ArrayList<>();
    for (Object part : parts) {
      String url = String.valueOf(part).trim();
      if (url.isEmpty()) {
        continue;
      }
      while (url.endsWith("/")) {
        url = url.substring(0, url.length() - 1);
      }
      urls.add(url);
    }
    boolean anyMock = urls.stream().anyMatch(u -> u.startsWith(MOCK_SCHEME));
    if (anyMock && urls.size() > 1) {
      throw new ConfigException(
          SCHEMA_REGISTRY_URL,
          Masking.maskUserInfo(String.valueOf(value)),
          "a mock:// URL cannot be mixed with other URLs");
    }
    if (!anyMock) {
      for (String url : urls) {
        String scheme;
        try {
          URI uri = new URI(url);
          scheme = uri.getScheme();
          if (uri.getHost() == null) {
            throw new ConfigException(
                SCHEMA_REGISTRY_URL,
                Masking.maskUserInfo(url),
                "not an absolute URL with a host (percent-encode '@', ':' and '/' in a password)");
          }
        } catch (URISyntaxException e) {
          // The parser's message repeats the URL, password included.
          throw new ConfigException(
              SCHEMA_REGISTRY_URL,
              Masking.maskUserInfo(url),
              "not a URL: " + e.getReason() + " at index " + e.getIndex());
        }
        if (!"http".equalsIgnoreCase(scheme) && !"https".equalsIgnoreCase(scheme)) {
          throw new ConfigException(
              SCHEMA_REGISTRY_URL,
              Masking.maskUserInfo(url),
              "the scheme must be http, https or mock");
        }
      }
    }
    return urls;
  }

  private static SubjectNameStrategy strategy(Map<String, ?> props, String key) {
    try {
      return SubjectNameStrategy.parse(props.get(key));
    } catch (IllegalArgumentException e) {
      throw new ConfigException(key, props.get(key), e.getMessage());
    }
  }

  @SuppressWarnings("unchecked")
  private static Class<? extends SpecificRecord> specificType(Map<String, ?> props, String key) {
    Object v = props.get(key);
    if (v == null || v.toString().isBlank()) {
      return null;
    }
    Class<?> type;
    if (v instanceof Class<?> c) {
      type = c;
    } else {
      ClassLoader loader = Thread.currentThread().getContextClassLoader();
      try {
        type =
            Class.forName(
                v.toString().trim(),
                false,
                loader != null ? loader : SerdeConfig.class.getClassLoader());
      } catch (ClassNotFoundException e) {
        throw new ConfigException(key, v, "class not found");
      }
    }
    if (!SpecificRecord.class.isAssignableFrom(type)) {
      throw new ConfigException(key, v, "not a generated Avro class (SpecificRecord)");
    }
    return (Class<? extends SpecificRecord>) type;
  }

  private static boolean bool(Map<String, ?> props, String key, boolean dflt) {
    Object v = props.get(key);
    if (v == null) {
      return dflt;
    }
    if (v instanceof Boolean b) {
      return b;
    }
    String s = v.toString().trim();
    if (s.equalsIgnoreCase("true")) {
      return true;
    }
    if (s.equalsIgnoreCase("false")) {
      return false;
    }
    throw new ConfigException(key, v, "expected true or false");
  }

  private static long number(Map<String, ?> props, String key, long dflt) {
    Object v = props.get(key);
    if (v == null) {
      return dflt;
    }
    if (v instanceof Number n) {
      return n.longValue();
    }
    try {
      return Long.parseLong(v.toString().trim());
    } catch (NumberFormatException e) {
      throw new ConfigException(key, v, "expected a number");
    }
  }

  private static String string(Map<String, ?> props, String key, String dflt) {
    Object v = props.get(key);
    return v == null ? dflt : v.toString();
  }
}

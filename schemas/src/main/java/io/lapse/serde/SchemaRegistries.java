package io.lapse.serde;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Hands out one registry client per distinct connection configuration, so every serializer and
 * deserializer of a process shares the id and schema caches, as Confluent's serdes do.
 */
public final class SchemaRegistries {
  private static final Map<List<Object>, SchemaRegistryClient> CLIENTS = new ConcurrentHashMap<>();

  private SchemaRegistries() {}

  /**
   * The client that serdes configured with these properties use ({@code schema.registry.url} and
   * the other serde keys), e.g. to ask it whether the registry is available.
   */
  public static SchemaRegistryClient client(Map<String, ?> serdeProps) {
    return client(SerdeConfig.parse(serdeProps));
  }

  /** The client for this configuration: the mock registry for {@code mock://scope}. */
  public static SchemaRegistryClient client(SerdeConfig config) {
    if (config.isMock()) {
      return MockSchemaRegistry.forScope(config.mockScope());
    }
    List<Object> key =
        List.of(
            config.registryUrls(),
            String.valueOf(config.basicAuthUserInfo()),
            String.valueOf(config.bearerAuthToken()),
            config.normalizeSchemas(),
            config.latestCacheTtlSeconds());
    return CLIENTS.computeIfAbsent(
        key,
        k ->
            new HttpSchemaRegistryClient(
                config.registryUrls(),
                config.basicAuthUserInfo(),
                config.bearerAuthToken(),
                config.normalizeSchemas(),
                config.latestCacheTtlSeconds()));
  }
}

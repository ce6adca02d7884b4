package io.lapse.service.support;

import io.lapse.infra.KafkaBroker;
import io.lapse.infra.SchemaRegistry;
import io.lapse.testkit.KafkaHelpers;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;

/**
 * One environment for the challenge service and the expiry processor, as {@code ./lapse up} and
 * docker-compose give them: the shared broker and registry, topics and application id of their own
 * (a unique prefix), an ephemeral HTTP port each, fixed test credentials, a fresh seed key and a
 * fresh MAC key shared by the two.
 */
public final class SystemEnv {
  public static final String ACCOUNT = "AC" + "b".repeat(32);
  public static final String TOKEN = "sdk-test-token-0123456789abcdef01";

  private SystemEnv() {}

  public static Map<String, String> create(KafkaBroker broker, SchemaRegistry registry) {
    String id = KafkaHelpers.uniqueName("e2e");
    byte[] key = new byte[32];
    new SecureRandom().nextBytes(key);
    Map<String, String> env = new HashMap<>();
    env.put("KAFKA_BOOTSTRAP_SERVERS", broker.bootstrapServers());
    env.put("SCHEMA_REGISTRY_URL", registry.url());
    env.put("LAPSE_PARTITIONS", "3");
    env.put("LAPSE_TOPIC_PREFIX", id + ".");
    env.put("HTTP_PORT", "0");
    env.put("LAPSE_ACCOUNT_SID", ACCOUNT);
    env.put("LAPSE_AUTH_TOKEN", TOKEN);
    env.put("LAPSE_SECRET_KEY", Base64.getEncoder().encodeToString(key));
    // Every instance started from this environment: its own internal listener, one cluster key.
    byte[] clusterKey = new byte[32];
    new SecureRandom().nextBytes(clusterKey);
    env.put("LAPSE_CLUSTER_KEY", Base64.getEncoder().encodeToString(clusterKey));
    env.put("LAPSE_INTERNAL_PORT", "0");
    env.put("LAPSE_RESPONSE_MAC_KEYS", TestMacKeys.newEnvValue());
    env.put("LAPSE_EXPIRY_APPLICATION_ID", id + "-expiry");
    env.put("LAPSE_EXPIRY_HTTP_PORT", "0");
    // Tests start many processors: no warm-up rehearsal (ExpiryWarmUpIT covers it).
    env.put("LAPSE_EXPIRY_WARM_UP_MS", "0");
    env.put("LAPSE_STATE_DIR", Path.of("target", "it-state", id).toAbsolutePath().toString());
    env.put("LAPSE_SERVICE_APPLICATION_ID", id + "-service");
    env.put("LAPSE_WEBHOOK_GROUP_ID", id + "-webhooks");
    env.put(
        "LAPSE_SERVICE_STATE_DIR",
        Path.of("target", "it-state", id + "-service").toAbsolutePath().toString());
    return env;
  }
}

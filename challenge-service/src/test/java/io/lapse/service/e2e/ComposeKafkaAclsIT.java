package io.lapse.service.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.lapse.examples.DeviceSigner;
import io.lapse.expiry.ExpiryProcessorApp;
import io.lapse.infra.BrokerOptions;
import io.lapse.infra.InProcessKafkaBroker;
import io.lapse.infra.SchemaRegistry;
import io.lapse.service.ChallengeServiceApp;
import io.lapse.service.ServiceConfig;
import io.lapse.service.support.ComposeKafka;
import io.lapse.service.support.HttpTestClient;
import io.lapse.service.support.HttpTestClient.Reply;
import io.lapse.service.support.Processor;
import io.lapse.service.support.Scenario;
import io.lapse.service.support.TestMacKeys;
import io.lapse.testkit.LapseIntegration;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Kafka security of {@code docker-compose.yml}, without Docker: a broker configured with the
 * file's SASL and authorization settings and its users, the ACLs its {@code kafka-acls} service
 * adds (read from the file), and both services logging in as the file's principals with the topic
 * and application names it assumes. The services then work end to end, and the trust boundaries
 * hold: only the challenge service writes attempts, only the processor writes decisions, the
 * service cannot touch the processor's state, and a wrong password gets nowhere.
 */
@LapseIntegration
class ComposeKafkaAclsIT {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final String ACCOUNT = "AC" + "c".repeat(32);
  private static final String TOKEN = "compose-acls-token-0123456789abcd";

  private final ComposeKafka compose = ComposeKafka.ofRepository();
  private final Map<String, String> passwords = new HashMap<>();

  @TempDir Path stateDir;

  @Test
  void shouldRunBothServicesOnTheComposeAclsAndKeepEveryoneElseOffTheDecidingTopics(
      SchemaRegistry registry) throws Exception {
    compose.brokerUsers().forEach(user -> passwords.put(user, hex(16)));
    assertThat(passwords).containsKeys("admin", "challenge-service", "expiry-processor");
    String serviceUser = compose.clientUser("challenge-service");
    String processorUser = compose.clientUser("expiry-processor");

    try (InProcessKafkaBroker broker = InProcessKafkaBroker.start(brokerOptions())) {
      try (Admin admin = Admin.create(client(broker, "admin"))) {
        admin.createAcls(compose.acls()).all().get();
      }
      Map<String, String> env = new HashMap<>();
      env.put("KAFKA_BOOTSTRAP_SERVERS", broker.bootstrapServers());
      env.put("SCHEMA_REGISTRY_URL", registry.url());
      env.put("HTTP_PORT", "0");
      env.put("LAPSE_ACCOUNT_SID", ACCOUNT);
      env.put("LAPSE_AUTH_TOKEN", TOKEN);
      env.put("LAPSE_SECRET_KEY", Base64.getEncoder().encodeToString(bytes(32)));
      env.put("LAPSE_CLUSTER_KEY", Base64.getEncoder().encodeToString(bytes(32)));
      env.put("LAPSE_INTERNAL_PORT", "0");
      env.put("LAPSE_EXPIRY_HTTP_PORT", "0");
      // The processor's warm-up rehearsal runs (its default), so its grants are tested too: it
      // uses topics, a group and transactions of its own (lapse-warmup-*).
      env.put("LAPSE_STATE_DIR", stateDir.toString());
      env.put("LAPSE_SERVICE_STATE_DIR", stateDir.resolve("service").toString());
      env.put("LAPSE_RESPONSE_MAC_KEYS", TestMacKeys.newEnvValue());
      env.put("KAFKA_PROPERTY_SECURITY_PROTOCOL", "SASL_PLAINTEXT");
      env.put("KAFKA_PROPERTY_SASL_MECHANISM", "PLAIN");

      Map<String, String> serviceEnv = new HashMap<>(env);
      serviceEnv.put("KAFKA_PROPERTY_SASL_JAAS_CONFIG", jaas(serviceUser));
      Map<String, String> processorEnv = new HashMap<>(env);
      processorEnv.put("KAFKA_PROPERTY_SASL_JAAS_CONFIG", jaas(processorUser));

      try (ChallengeServiceApp service =
              ChallengeServiceApp.start(ServiceConfig.fromEnv(serviceEnv));
          ExpiryProcessorApp processor = Processor.start(processorEnv)) {
        HttpTestClient api = new HttpTestClient(service.baseUrl(), ACCOUNT, TOKEN);
        String expired = approveOneAndLetAnotherExpire(api);
        assertThat(appears(broker, "challenge-expired", expired)).isTrue();

        // The probe tells a granted write from a refused one (a dead letter harms nothing).
        assertThat(writeRefused(broker, processorUser, "challenge-responses-dlq")).isFalse();
        assertThat(writeRefused(broker, processorUser, "challenge-responses")).isTrue();
        assertThat(writeRefused(broker, serviceUser, "challenge-outcomes")).isTrue();
        assertThat(writeRefused(broker, serviceUser, "challenge-expired")).isTrue();
        for (String user : passwords.keySet()) {
          if (!user.equals(serviceUser) && !user.equals("admin")) {
            assertThat(writeRefused(broker, user, "challenge-responses")).as(user).isTrue();
          }
        }
        String changelog = processorInternalTopic(broker);
        assertThat(readRefused(broker, serviceUser, changelog)).as(changelog).isTrue();
        assertThat(writeRefused(broker, serviceUser, changelog)).as(changelog).isTrue();
        assertThat(authenticationFails(broker, serviceUser)).isTrue();
        assertThat(processor.state().isRunningOrRebalancing()).isTrue();
      }
    }
  }

  /**
   * A push challenge approved (the service writes the attempt, the processor decides, the service
   * reads the decision) and a challenge left to expire; returns the expired one's SID.
   */
  private static String approveOneAndLetAnotherExpire(HttpTestClient api) {
    Reply created = api.post("/v2/Services", "FriendlyName", "Compose ACLs");
    assertThat(created.status()).as(String.valueOf(created.json())).isEqualTo(201);
    String entity = Scenario.entityPath(created.text("sid"), Scenario.identity());
    KeyPair keys = DeviceSigner.newKeyPair();
    Reply factor =
        api.post(
            entity + "/Factors",
            "FriendlyName",
            "device",
            "FactorType",
            "push",
            "Binding.Alg",
            "ES256",
            "Binding.PublicKey",
            Base64.getEncoder().encodeToString(keys.getPublic().getEncoded()),
            "Config.AppId",
            "com.example.app",
            "Config.SdkVersion",
            "1.0.0",
            "Config.NotificationPlatform",
            "fcm",
            "Config.NotificationToken",
            "t".repeat(40));
    assertThat(factor.status()).as(String.valueOf(factor.json())).isEqualTo(201);
    String factorSid = factor.text("sid");
    assertThat(
            api.post(
                    entity + "/Factors/" + factorSid,
                    "AuthPayload",
                    DeviceSigner.derSignature(keys, factorSid))
                .text("status"))
        .isEqualTo("verified");

    Reply pending =
        api.post(entity + "/Challenges", "FactorSid", factorSid, "Details.Message", "Sign in?");
    assertThat(pending.status()).as(String.valueOf(pending.json())).isEqualTo(201);
    String challenge = entity + "/Challenges/" + pending.text("sid");
    // Reads come from the service's view of the log, which follows the create by a moment.
    Reply read =
        await()
            .atMost(Duration.ofSeconds(10))
            .until(
                () -> api.get(challenge),
                r -> r.headers().firstValue("Twilio-Verify-Signature-Fields").isPresent());
    Reply approved =
        api.post(challenge, "AuthPayload", Scenario.approvalJws(keys, read, "approved"));
    assertThat(approved.text("status")).as(String.valueOf(approved.json())).isEqualTo("approved");

    String deadline =
        ZonedDateTime.now(ZoneOffset.UTC)
            .plusSeconds(2)
            .truncatedTo(ChronoUnit.SECONDS)
            .format(DateTimeFormatter.ISO_INSTANT);
    Reply shortLived =
        api.post(
            entity + "/Challenges",
            "FactorSid",
            factorSid,
            "Details.Message",
            "Sign in?",
            "ExpirationDate",
            deadline);
    assertThat(shortLived.status()).as(String.valueOf(shortLived.json())).isEqualTo(201);
    return shortLived.text("sid");
  }

  /** Whether the key shows up on the topic, read as the admin with read_committed. */
  private boolean appears(InProcessKafkaBroker broker, String topic, String key) {
    Map<String, Object> config = client(broker, "admin");
    config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    Set<String> keys = new HashSet<>();
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> partitions =
          consumer.partitionsFor(topic).stream()
              .map(p -> new TopicPartition(topic, p.partition()))
              .toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () -> {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                  keys.add(new String(r.key(), StandardCharsets.UTF_8));
                }
                return keys.contains(key);
              });
    }
    return keys.contains(key);
  }

  /** One of the processor's Streams internal topics (a changelog of the arbiter's state). */
  private String processorInternalTopic(InProcessKafkaBroker broker) throws Exception {
    try (Admin admin = Admin.create(client(broker, "admin"))) {
      List<String> internal =
          admin.listTopics().names().get().stream()
              .filter(name -> name.startsWith("lapse-expiry-processor-"))
              .sorted()
              .collect(Collectors.toCollection(ArrayList::new));
      assertThat(internal).isNotEmpty();
      return internal.get(0);
    }
  }

  /** Whether the broker refuses this user's write to the topic as unauthorized. */
  private boolean writeRefused(InProcessKafkaBroker broker, String user, String topic) {
    Map<String, Object> config = client(broker, user);
    config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false);
    config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000);
    config.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 10_000);
    config.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000);
    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer())) {
      producer
          .send(new ProducerRecord<>(topic, "YC-forged".getBytes(StandardCharsets.UTF_8), null))
          .get();
      return false;
    } catch (Exception e) {
      return causedBy(e, AuthorizationException.class);
    }
  }

  /** Whether the broker refuses this user's read of the topic as unauthorized. */
  private boolean readRefused(InProcessKafkaBroker broker, String user, String topic) {
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(
            client(broker, user), new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      consumer.assign(List.of(new TopicPartition(topic, 0)));
      consumer.seekToBeginning(List.of(new TopicPartition(topic, 0)));
      consumer.poll(Duration.ofSeconds(5));
      return false;
    } catch (Exception e) {
      return causedBy(e, AuthorizationException.class);
    }
  }

  /** Whether a login with the wrong password is refused. */
  private boolean authenticationFails(InProcessKafkaBroker broker, String user) {
    Map<String, Object> config = client(broker, user);
    config.put("sasl.jaas.config", jaas(user, "not-" + passwords.get(user)));
    config.put(CommonClientConfigs.REQUEST_TIMEOUT_MS_CONFIG, 5_000);
    try (Admin admin = Admin.create(config)) {
      admin.listTopics().names().get(20, TimeUnit.SECONDS);
      return false;
    } catch (Exception e) {
      return causedBy(e, AuthenticationException.class);
    }
  }

  /** The broker as the compose file configures it, on loopback ports of the test. */
  private BrokerOptions brokerOptions() {
    BrokerOptions options = BrokerOptions.defaults();
    Map<String, String> authz =
        compose.brokerProperties(
            "KAFKA_AUTHORIZER_CLASS_NAME",
            "KAFKA_SUPER_USERS",
            "KAFKA_ALLOW_EVERYONE_IF_NO_ACL_FOUND",
            "KAFKA_AUTO_CREATE_TOPICS_ENABLE",
            "KAFKA_SASL_ENABLED_MECHANISMS",
            "KAFKA_SASL_MECHANISM_INTER_BROKER_PROTOCOL",
            "KAFKA_SASL_MECHANISM_CONTROLLER_PROTOCOL");
    for (Map.Entry<String, String> e : authz.entrySet()) {
      options = options.withOverride(e.getKey(), e.getValue());
    }
    // The listener names of the in-process broker, with the compose file's protocol and users.
    String serverJaas =
        "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"admin\""
            + " password=\""
            + passwords.get("admin")
            + "\""
            + passwords.entrySet().stream()
                .map(u -> " user_" + u.getKey() + "=\"" + u.getValue() + "\"")
                .collect(Collectors.joining())
            + ";";
    return options
        .withOverride(
            "listener.security.protocol.map", "PLAINTEXT:SASL_PLAINTEXT,CONTROLLER:SASL_PLAINTEXT")
        .withOverride(InProcessKafkaBroker.SASL_JAAS_OVERRIDE, serverJaas)
        .withOverride("listener.name.controller.plain.sasl.jaas.config", serverJaas);
  }

  private Map<String, Object> client(InProcessKafkaBroker broker, String user) {
    Map<String, Object> config = new HashMap<>();
    config.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
    config.put(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, "SASL_PLAINTEXT");
    config.put("sasl.mechanism", "PLAIN");
    config.put("sasl.jaas.config", jaas(user));
    return config;
  }

  private String jaas(String user) {
    return jaas(user, passwords.get(user));
  }

  private static String jaas(String user, String password) {
    return "org.apache.kafka.common.security.plain.PlainLoginModule required username=\""
        + user
        + "\" password=\""
        + password
        + "\";";
  }

  private static boolean causedBy(Throwable e, Class<? extends Throwable> type) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (type.isInstance(t)) {
        return true;
      }
    }
    return false;
  }

  private static byte[] bytes(int n) {
    byte[] b = new byte[n];
    RANDOM.nextBytes(b);
    return b;
  }

  private static String hex(int n) {
    return HexFormat.of().formatHex(bytes(n));
  }
}

package io.lapse.service.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.lapse.contract.AttemptMacKeys;
import io.lapse.events.v1.ChallengeCreated;
import io.lapse.expiry.ExpiryProcessorApp;
import io.lapse.infra.KafkaBroker;
import io.lapse.infra.SchemaRegistry;
import io.lapse.serde.ConfluentAvroSerializer;
import io.lapse.service.ChallengeServiceApp;
import io.lapse.service.ServiceConfig;
import io.lapse.service.support.HttpTestClient;
import io.lapse.service.support.Processor;
import io.lapse.service.support.Scenario;
import io.lapse.service.support.SystemEnv;
import io.lapse.testkit.KafkaHelpers;
import io.lapse.testkit.LapseIntegration;
import io.lapse.testkit.RegistryOutageProxy;
import io.lapse.topics.TopicNames;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.awaitility.core.ConditionFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Faults are not data loss, on the real broker and registry: the challenge service and the expiry
 * processor reach the registry through a {@link RegistryOutageProxy}, so the test takes it away
 * (connections refused, then HTTP 503) while the registry itself, which the test keeps using
 * directly, stays up. A ChallengeCreated written meanwhile with a new, compatible schema version
 * (one neither reader has cached) is held, not dead-lettered, and is processed once the registry
 * answers again; garbage bytes still go to the dead-letter topic with their reason.
 */
@LapseIntegration
class RegistryOutageIT {
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  private final KafkaBroker broker;
  private final SchemaRegistry registry;
  private final Map<String, String> env;
  private final TopicNames names;
  private RegistryOutageProxy proxy;
  private ChallengeServiceApp service;
  private ExpiryProcessorApp processor;
  private KafkaProducer<byte[], byte[]> producer;

  RegistryOutageIT(KafkaBroker broker, SchemaRegistry registry) {
    this.broker = broker;
    this.registry = registry;
    this.env = SystemEnv.create(broker, registry);
    this.names = TopicNames.fromEnv(env);
  }

  @BeforeEach
  void startBehindTheProxy() {
    proxy = new RegistryOutageProxy(registry);
    env.put("SCHEMA_REGISTRY_URL", proxy.url());
    // A replaced stream thread's old member is noticed after the session timeout: keep it short.
    env.put("STREAMS_PROPERTY_SESSION_TIMEOUT_MS", "6000");
    env.put("STREAMS_PROPERTY_HEARTBEAT_INTERVAL_MS", "1000");
    service = ChallengeServiceApp.start(ServiceConfig.fromEnv(env));
    processor = Processor.start(env);
    producer =
        new KafkaProducer<>(
            KafkaHelpers.producerConfig(broker),
            new ByteArraySerializer(),
            new ByteArraySerializer());
  }

  @AfterEach
  void stop() {
    if (producer != null) {
      producer.close();
    }
    if (processor != null) {
      processor.close();
    }
    if (service != null) {
      service.close();
    }
    if (proxy != null) {
      proxy.close();
    }
  }

  @Test
  void shouldProcessARecordOfANewSchemaVersionWrittenWhileTheRegistryWasDown() throws Exception {
    HttpTestClient api = new HttpTestClient(service.baseUrl(), SystemEnv.ACCOUNT, SystemEnv.TOKEN);
    Scenario scenario = new Scenario(api, Clock.systemUTC());
    String serviceSid = scenario.service();
    String identity = Scenario.identity();
    Scenario.TotpFactor totp = scenario.verifiedTotp(serviceSid, identity);
    HttpTestClient.Reply factor =
        api.get(Scenario.entityPath(serviceSid, identity) + "/Factors/" + totp.sid());
    String sid = "YC" + UUID.randomUUID().toString().replace("-", "");
    String challengePath = Scenario.entityPath(serviceSid, identity) + "/Challenges/" + sid;
    Instant deadline = Instant.now().plusSeconds(4).truncatedTo(ChronoUnit.MILLIS);

    proxy.refuse();
    // Signed as the service signs its creates: the processor takes no unsigned create.
    ChallengeCreated signed =
        AttemptMacKeys.parse(env.get("LAPSE_RESPONSE_MAC_KEYS"))
            .sign(challenge(factor, sid, deadline));
    produce(names.challengeCreated(), sid, writtenWithVersion2(signed));

    // Held, not dropped: both readers report it instead of serving stale data.
    within(Duration.ofSeconds(30))
        .untilAsserted(
            () -> {
              assertThat(health(service.port())).isEqualTo(503);
              assertThat(health(processor.httpPort())).isEqualTo(503);
            });
    assertThat(api.get(challengePath).status()).isEqualTo(404);
    double retriesWhileRefused = processor.metrics().registryUnavailableCount();
    assertThat(retriesWhileRefused).isPositive();

    // A registry behind a load balancer that answers 503 is held the same way.
    proxy.answer503();
    within(Duration.ofSeconds(60))
        .until(() -> processor.metrics().registryUnavailableCount() > retriesWhileRefused);
    assertThat(Instant.now()).isAfter(deadline);

    proxy.forward();
    within(Duration.ofSeconds(90))
        .untilAsserted(
            () -> {
              assertThat(expiredCount(sid)).isEqualTo(1);
              assertThat(api.get(challengePath).text("status")).isEqualTo("expired");
            });
    within(Duration.ofSeconds(30))
        .untilAsserted(
            () -> {
              assertThat(health(service.port())).isEqualTo(200);
              assertThat(health(processor.httpPort())).isEqualTo(200);
            });
    assertThat(committed(TopicNames.deadLetter(names.challengeCreated()))).isEmpty();
    assertThat(processor.metrics().deadLetteredCount()).isZero();
    assertThat(metric("lapse_follower_undecodable{follower=\"challenges\"}")).isEqualTo("0.0");
    assertThat(expiredCount(sid)).isEqualTo(1);
  }

  @Test
  void shouldDeadLetterGarbageWithItsReasonAndKeepServing() throws Exception {
    byte[] garbage = "{\"not\":\"avro\"}".getBytes(StandardCharsets.UTF_8);
    produce(names.challengeCreated(), "YC" + "e".repeat(32), garbage);
    produce(names.factors(), "YF" + "e".repeat(32), garbage);

    String createdDlq = TopicNames.deadLetter(names.challengeCreated());
    String factorsDlq = TopicNames.deadLetter(names.factors());
    // The processor and the service's follower each dead-letter what they could not read.
    within(Duration.ofSeconds(30))
        .untilAsserted(
            () -> {
              assertThat(committed(createdDlq)).hasSize(2);
              assertThat(committed(factorsDlq)).hasSize(1);
            });
    List<ConsumerRecord<byte[], byte[]>> dead = new ArrayList<>(committed(createdDlq));
    dead.addAll(committed(factorsDlq));
    assertThat(dead)
        .allSatisfy(
            r -> {
              assertThat(r.value()).isEqualTo(garbage);
              assertThat(header(r, "__streams.errors.message")).contains("magic byte");
            });
    assertThat(dead)
        .extracting(r -> header(r, DeadLetterWriter.HEADER_DEAD_LETTERED_BY))
        .containsExactlyInAnyOrder(null, "challenge-service challenges", "challenge-service state");
    assertThat(processor.metrics().registryUnavailableCount()).isZero();

    // Both followers went on: the service is healthy and applies what comes next.
    assertThat(health(service.port())).isEqualTo(200);
    HttpTestClient api = new HttpTestClient(service.baseUrl(), SystemEnv.ACCOUNT, SystemEnv.TOKEN);
    Scenario scenario = new Scenario(api, Clock.systemUTC());
    String serviceSid = scenario.service();
    String identity = Scenario.identity();
    Scenario.TotpFactor totp = scenario.verifiedTotp(serviceSid, identity);
    String challenges = Scenario.entityPath(serviceSid, identity) + "/Challenges";
    String sid = api.post(challenges, "FactorSid", totp.sid()).text("sid");
    assertThat(api.get(challenges + "/" + sid).text("status")).isEqualTo("pending");
  }

  /** A ChallengeCreated for the factor, as the service would write it. */
  private static ChallengeCreated challenge(
      HttpTestClient.Reply factor, String sid, Instant deadline) {
    return ChallengeCreated.newBuilder()
        .setSid(sid)
        .setAccountSid(factor.text("account_sid"))
        .setServiceSid(factor.text("service_sid"))
        .setEntitySid(factor.text("entity_sid"))
        .setIdentity(factor.text("identity"))
        .setFactorSid(factor.text("sid"))
        .setFactorType(factor.text("factor_type"))
        .setCreatedAt(Instant.now().truncatedTo(ChronoUnit.MILLIS))
        .setExpirationDate(deadline)
        .setDetailsMessage("written with a newer schema")
        .build();
  }

  /**
   * The challenge in the wire format of a newer ChallengeCreated (an extra optional field),
   * registered on the registry directly: a writer schema id neither reader has seen.
   */
  private byte[] writtenWithVersion2(ChallengeCreated challenge) throws IOException {
    Schema v1 = ChallengeCreated.getClassSchema();
    List<Schema.Field> fields = new ArrayList<>();
    for (Schema.Field f : v1.getFields()) {
      fields.add(new Schema.Field(f, f.schema()));
    }
    fields.add(
        new Schema.Field(
            "channel",
            Schema.createUnion(Schema.create(Schema.Type.NULL), Schema.create(Schema.Type.STRING)),
            "Added in version 2",
            Schema.Field.NULL_DEFAULT_VALUE));
    Schema v2 = Schema.createRecord(v1.getName(), v1.getDoc(), v1.getNamespace(), false, fields);
    ByteArrayOutputStream v1Bytes = new ByteArrayOutputStream();
    BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(v1Bytes, null);
    new SpecificDatumWriter<>(ChallengeCreated.class).write(challenge, encoder);
    encoder.flush();
    GenericRecord record =
        new GenericDatumReader<GenericRecord>(v1, v2)
            .read(null, DecoderFactory.get().binaryDecoder(v1Bytes.toByteArray(), null));
    record.put("channel", "sms");
    ConfluentAvroSerializer<Object> direct = new ConfluentAvroSerializer<>();
    direct.configure(Map.of("schema.registry.url", registry.url()), false);
    return direct.serialize(names.challengeCreated(), record);
  }

  private void produce(String topic, String key, byte[] value) throws Exception {
    producer.send(new ProducerRecord<>(topic, key.getBytes(StandardCharsets.UTF_8), value)).get();
  }

  /** ChallengeExpired records for the challenge committed on challenge-expired. */
  private long expiredCount(String sid) {
    return committed(names.challengeExpired()).stream()
        .filter(r -> sid.equals(new String(r.key(), StandardCharsets.UTF_8)))
        .count();
  }

  /** Every committed record of the topic, from the beginning to its end. */
  private List<ConsumerRecord<byte[], byte[]>> committed(String topic) {
    Map<String, Object> config = KafkaHelpers.readCommittedConsumerConfig(broker);
    config.remove(ConsumerConfig.GROUP_ID_CONFIG);
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> partitions =
          consumer.partitionsFor(topic).stream()
              .map(p -> new TopicPartition(topic, p.partition()))
              .toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
      List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
      long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
      while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
        if (System.nanoTime() > deadline) {
          throw new AssertionError("Could not read " + topic + " to its end");
        }
        consumer.poll(Duration.ofMillis(100)).forEach(records::add);
      }
      return records;
    }
  }

  private static String header(ConsumerRecord<byte[], byte[]> r, String name) {
    var h = r.headers().lastHeader(name);
    return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
  }

  /**
   * Awaitility bounded by {@code bound}, blind to other threads' uncaught exceptions: a stream
   * thread stopped by the outage dies with it by design (Kafka Streams rethrows it once the
   * replacement thread is added), which Awaitility would otherwise report as this test's failure.
   */
  private static ConditionFactory within(Duration bound) {
    return await().dontCatchUncaughtExceptions().atMost(bound);
  }

  private static int health(int port) {
    return get("http://127.0.0.1:" + port + "/health").statusCode();
  }

  /** The value of one sample line of the service's /metrics. */
  private String metric(String sample) {
    String body = get(service.baseUrl() + "/metrics").body();
    return body.lines()
        .filter(l -> l.startsWith(sample + " "))
        .map(l -> l.substring(sample.length() + 1).trim())
        .findFirst()
        .orElse(null);
  }

  private static HttpResponse<String> get(String url) {
    try {
      return HTTP.send(
          HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
          HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}

package io.lapse.example.publisher;

import io.lapse.contract.AttemptMacKeys;
import io.lapse.events.v1.ChallengeCreated;
import io.lapse.serde.SerdeConfig;
import io.lapse.topics.LapseTopics;
import io.lapse.topics.Topic;
import io.lapse.topics.TopicNames;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Another team's microservice that creates challenges by publishing {@code ChallengeCreated} from
 * its own code, through Lapse's contract artifact ({@code io.lapse:lapse-schemas}): the generated
 * class, the Confluent-format serializer and the typed topic. Lapse's expiry processor expires them
 * at their {@code expirationDate} like any other.
 *
 * <p>Keyed by the challenge SID as the contract says, so all events of one challenge share a
 * partition. Sent with {@code acks=all} and idempotence: a publish that returns is on the log.
 *
 * <p>Signed, as a trusted producer must sign: the expiry processor dead-letters a create without a
 * valid MAC ({@code io.lapse.contract.ChallengeMac}). This service is given its own key through its
 * configuration, {@code LAPSE_CHALLENGE_MAC_KEYS=id:base64} (the first key signs), and the
 * processor lists that key in its {@code LAPSE_CHALLENGE_MAC_KEYS} beside the challenge service's.
 * A challenge key signs creates only: it cannot answer a challenge (attempts take the response
 * keys, which this service never holds).
 *
 * <p>Run: {@code KAFKA_BOOTSTRAP_SERVERS=… SCHEMA_REGISTRY_URL=… LAPSE_CHALLENGE_MAC_KEYS=… java …
 * ChallengePublisher 5 10} publishes 5 challenges expiring in 10 s and prints their SIDs.
 */
public final class ChallengePublisher implements AutoCloseable {
  private static final SecureRandom RANDOM = new SecureRandom();

  private final Topic<String, ChallengeCreated> created;
  private final KafkaProducer<String, ChallengeCreated> producer;
  private final AttemptMacKeys keys;

  /**
   * @param keys the keys of its {@code LAPSE_CHALLENGE_MAC_KEYS}; the first signs every create
   */
  public ChallengePublisher(
      String bootstrap, String registryUrl, TopicNames topics, AttemptMacKeys keys) {
    this.keys = keys;
    created =
        LapseTopics.create(topics, Map.of(SerdeConfig.SCHEMA_REGISTRY_URL, registryUrl))
            .challengeCreated();
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    producer = new KafkaProducer<>(p, created.keySerializer(), created.valueSerializer());
  }

  /** A SID of Twilio's shape: two letters and 32 hex digits. */
  static String sid(String prefix) {
    byte[] b = new byte[16];
    RANDOM.nextBytes(b);
    return prefix + HexFormat.of().formatHex(b);
  }

  /** Publishes one challenge for the factor, due at {@code deadline}; returns its SID. */
  public String publish(
      String accountSid, String serviceSid, String identity, String factorSid, Instant deadline)
      throws ExecutionException, InterruptedException {
    Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
    ChallengeCreated unsigned =
        ChallengeCreated.newBuilder()
            .setSid(sid("YC"))
            .setAccountSid(accountSid)
            .setServiceSid(serviceSid)
            .setEntitySid(sid("YE"))
            .setIdentity(identity)
            .setFactorSid(factorSid)
            .setFactorType("totp")
            .setCreatedAt(now)
            .setExpirationDate(deadline.truncatedTo(ChronoUnit.MILLIS))
            .setDetailsFields(List.of())
            .build();
    ChallengeCreated challenge = keys.sign(unsigned);
    producer
        .send(new ProducerRecord<>(created.name(), challenge.getSid(), challenge))
        .get(); // on the log before we say so
    return challenge.getSid();
  }

  @Override
  public void close() {
    producer.close(Duration.ofSeconds(10));
  }

  public static void main(String[] args) throws Exception {
    int count = args.length > 0 ? Integer.parseInt(args[0]) : 1;
    int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 10;
    Map<String, String> env = System.getenv();
    String keys = env.get("LAPSE_CHALLENGE_MAC_KEYS");
    if (keys == null || keys.isBlank()) {
      System.err.println(
          "LAPSE_CHALLENGE_MAC_KEYS (id:base64) is required: the expiry processor refuses unsigned"
              + " challenges");
      System.exit(2);
    }
    try (ChallengePublisher publisher =
        new ChallengePublisher(
            env.getOrDefault("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092"),
            env.getOrDefault("SCHEMA_REGISTRY_URL", "http://127.0.0.1:8081/apis/ccompat/v7"),
            TopicNames.fromEnv(env),
            AttemptMacKeys.parse(keys))) {
      for (int i = 0; i < count; i++) {
        System.out.println(
            publisher.publish(
                sid("AC"),
                sid("VA"),
                "example-user-" + i,
                sid("YF"),
                Instant.now().plusSeconds(seconds)));
      }
    }
  }
}

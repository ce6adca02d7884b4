package io.lapse.service.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.lapse.events.v1.VerificationAttempted;
import io.lapse.infra.KafkaBroker;
import io.lapse.infra.SchemaRegistry;
import io.lapse.service.support.HttpTestClient;
import io.lapse.service.support.HttpTestClient.Reply;
import io.lapse.service.support.LapseSystem;
import io.lapse.service.support.Scenario;
import io.lapse.testkit.KafkaHelpers;
import io.lapse.testkit.LapseIntegration;
import io.lapse.topics.LapseTopics;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.IntStream;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.junit.jupiter.api.Test;

/**
 * The attempt ids on {@code challenge-responses} and {@code challenge-outcomes} reveal no code:
 * TOTP attempts made through the running system (real broker, registry, service and processor) are
 * read back from both topics, and every six-digit code is tried against every id under the unkeyed
 * digests and the obvious keyed derivations, including with the keys a reader might hold (the
 * processor's MAC key) or steal (the seed key used directly). None matches; ids made locally with
 * two of the derivations, mixed in, are found, so the search itself works.
 */
@LapseIntegration
class AttemptIdIT {
  private static final int CODES = 1_000_000;

  @Test
  void shouldRevealNoCodeToBruteForce(KafkaBroker broker, SchemaRegistry registry) {
    Map<String, Set<String>> idsBySid;
    byte[] macKey;
    byte[] secretKey;
    try (LapseSystem system = new LapseSystem(broker, registry)) {
      List<String> sids = attemptThroughTheApi(system);
      idsBySid = idsOnTheTopics(broker, system.kafka.topics(), Set.copyOf(sids));
      String macKeys = system.env.get("LAPSE_RESPONSE_MAC_KEYS");
      macKey = Base64.getDecoder().decode(macKeys.substring(macKeys.indexOf(':') + 1));
      secretKey = Base64.getDecoder().decode(system.env.get("LAPSE_SECRET_KEY"));
    }
    assertThat(idsBySid.values().stream().mapToInt(Set::size).sum())
        .as("attempts read back")
        .isEqualTo(6);

    List<Derivation> derivations = derivations(macKey, secretKey);
    String controlSid = idsBySid.keySet().iterator().next();
    Map<String, String> controls = new HashMap<>();
    for (Derivation d : List.of(derivations.get(0), derivations.get(4))) {
      controls.put(d.id(controlSid, "314159"), d.name() + ":314159");
    }

    Map<String, String> found = new ConcurrentHashMap<>();
    long t0 = System.nanoTime();
    for (Map.Entry<String, Set<String>> e : idsBySid.entrySet()) {
      Set<String> targets = new HashSet<>(e.getValue());
      if (e.getKey().equals(controlSid)) {
        targets.addAll(controls.keySet());
      }
      for (Derivation d : derivations) {
        crack(e.getKey(), targets, d, found);
      }
    }

    System.out.printf(
        "AttemptIdIT: %d ids of %d challenges x %d derivations x %d codes in %.1f s%n",
        idsBySid.values().stream().mapToInt(Set::size).sum(),
        idsBySid.size(),
        derivations.size(),
        CODES,
        (System.nanoTime() - t0) / 1e9);
    assertThat(found)
        .as("codes recovered from the ids (only the locally made controls may be)")
        .isEqualTo(controls);
  }

  /** Six TOTP attempts through HTTP: wrong, wrong, right; wrong, wrong; right at creation. */
  private static List<String> attemptThroughTheApi(LapseSystem system) {
    HttpTestClient api = system.http();
    Scenario scenario = new Scenario(api, Clock.systemUTC());
    String service = scenario.service();
    String identity = Scenario.identity();
    Scenario.TotpFactor totp = scenario.verifiedTotp(service, identity);
    String challenges = Scenario.entityPath(service, identity) + "/Challenges";
    List<String> sids = new ArrayList<>();

    String first = api.post(challenges, "FactorSid", totp.sid()).text("sid");
    sids.add(first);
    String right = totp.codeNow();
    assertThat(api.post(challenges + "/" + first, "AuthPayload", wrong(right, 1)).text("status"))
        .isEqualTo("pending");
    assertThat(api.post(challenges + "/" + first, "AuthPayload", wrong(right, 2)).text("status"))
        .isEqualTo("pending");
    Reply approved = api.post(challenges + "/" + first, "AuthPayload", totp.codeNow());
    assertThat(approved.text("status")).isEqualTo("approved");

    String second = api.post(challenges, "FactorSid", totp.sid()).text("sid");
    sids.add(second);
    api.post(challenges + "/" + second, "AuthPayload", wrong(right, 3));
    api.post(challenges + "/" + second, "AuthPayload", wrong(right, 4));

    // The next step's code (inside the default skew): the current one was accepted above, and a
    // step is accepted once per factor.
    Reply third =
        api.post(
            challenges,
            "FactorSid",
            totp.sid(),
            "AuthPayload",
            totp.codeAt(Instant.now().plusSeconds(30)));
    assertThat(third.text("status")).isEqualTo("approved");
    sids.add(third.text("sid"));
    return sids;
  }

  /** A six-digit code that is not {@code right}. */
  private static String wrong(String right, int n) {
    int code = (Integer.parseInt(right) + 1000 * n + 17) % CODES;
    return String.format("%06d", code);
  }

  /** The attempt ids of these challenges on challenge-responses and challenge-outcomes. */
  private static Map<String, Set<String>> idsOnTheTopics(
      KafkaBroker broker, LapseTopics topics, Set<String> sids) {
    Map<String, Set<String>> submitted = new LinkedHashMap<>();
    try (KafkaConsumer<String, VerificationAttempted> responses =
        KafkaHelpers.readCommittedConsumer(
            broker,
            List.of(topics.names().challengeResponses()),
            topics.challengeResponses().keyDeserializer(),
            topics.challengeResponses().valueDeserializer())) {
      for (ConsumerRecord<String, VerificationAttempted> r :
          KafkaHelpers.drainUntil(
              responses,
              seen -> seen.stream().filter(x -> sids.contains(x.key())).count() >= 6,
              Duration.ofSeconds(30))) {
        if (sids.contains(r.key())) {
          submitted.computeIfAbsent(r.key(), k -> new HashSet<>()).add(r.value().getAttemptId());
        }
      }
    }
    Map<String, Set<String>> answered = new LinkedHashMap<>();
    try (KafkaConsumer<String, SpecificRecord> outcomes =
        KafkaHelpers.readCommittedConsumer(
            broker,
            List.of(topics.names().challengeOutcomes()),
            topics.challengeOutcomes().keyDeserializer(),
            topics.challengeOutcomes().valueDeserializer())) {
      for (ConsumerRecord<String, SpecificRecord> r :
          KafkaHelpers.drainUntil(
              outcomes,
              seen -> seen.stream().filter(x -> sids.contains(x.key())).count() >= 6,
              Duration.ofSeconds(30))) {
        if (sids.contains(r.key())) {
          String id = String.valueOf(((GenericRecord) r.value()).get("attemptId"));
          answered.computeIfAbsent(r.key(), k -> new HashSet<>()).add(id);
        }
      }
    }
    assertThat(answered).as("outcomes echo the submitted ids").isEqualTo(submitted);
    return submitted;
  }

  /** One way an id could have been made from (sid, code): the digest's first 16 bytes. */
  private record Derivation(String name, Hash hash) {
    String id(String sid, String code) {
      byte[] d =
          hash.of(sid.getBytes(StandardCharsets.UTF_8), code.getBytes(StandardCharsets.UTF_8));
      return "AT" + HexFormat.of().formatHex(d, 0, 16);
    }
  }

  @FunctionalInterface
  private interface Hash {
    byte[] of(byte[] sid, byte[] code);
  }

  private static List<Derivation> derivations(byte[] macKey, byte[] secretKey) {
    byte[] label = "challenge".getBytes(StandardCharsets.UTF_8);
    byte[] zero = {0};
    return List.of(
        new Derivation("sha256(sid 0 code)", (s, c) -> sha256(s, zero, c)),
        new Derivation("sha256(sid code)", (s, c) -> sha256(s, c)),
        new Derivation("sha256(code)", (s, c) -> sha256(c)),
        new Derivation("sha256(code 0 sid)", (s, c) -> sha256(c, zero, s)),
        new Derivation(
            "hmac(mac key, challenge 0 sid 0 code)",
            (s, c) -> hmac(macKey, label, zero, s, zero, c)),
        new Derivation("hmac(mac key, sid 0 code)", (s, c) -> hmac(macKey, s, zero, c)),
        new Derivation(
            "hmac(seed key, challenge 0 sid 0 code)",
            (s, c) -> hmac(secretKey, label, zero, s, zero, c)),
        new Derivation("hmac(seed key, sid 0 code)", (s, c) -> hmac(secretKey, s, zero, c)),
        new Derivation("hmac(sid, code)", (s, c) -> hmac(s, c)));
  }

  /** Tries every six-digit code for {@code sid} under {@code d}; records each hit as name:code. */
  private static void crack(
      String sid, Set<String> targets, Derivation d, Map<String, String> found) {
    Set<ByteBuffer> prefixes = new HashSet<>();
    for (String id : targets) {
      prefixes.add(ByteBuffer.wrap(HexFormat.of().parseHex(id.substring(2))));
    }
    byte[] sidBytes = sid.getBytes(StandardCharsets.UTF_8);
    IntStream.range(0, CODES)
        .parallel()
        .forEach(
            n -> {
              byte[] code = sixDigits(n);
              byte[] digest = d.hash().of(sidBytes, code);
              if (prefixes.contains(ByteBuffer.wrap(digest, 0, 16))) {
                String id = "AT" + HexFormat.of().formatHex(digest, 0, 16);
                found.put(id, d.name() + ":" + new String(code, StandardCharsets.UTF_8));
              }
            });
  }

  /** {@code n} as six ASCII digits, without the cost of a format string per code. */
  private static byte[] sixDigits(int n) {
    byte[] b = new byte[6];
    for (int i = 5; i >= 0; i--) {
      b[i] = (byte) ('0' + n % 10);
      n /= 10;
    }
    return b;
  }

  private static final ThreadLocal<MessageDigest> SHA256 =
      ThreadLocal.withInitial(
          () -> {
            try {
              return MessageDigest.getInstance("SHA-256");
            } catch (GeneralSecurityException e) {
              throw new IllegalStateException(e);
            }
          });

  private static byte[] sha256(byte[]... parts) {
    MessageDigest sha = SHA256.get();
    for (byte[] p : parts) {
      sha.update(p);
    }
    return sha.digest();
  }

  /** Initialised MACs per thread and key: {@code doFinal} leaves one ready for the next input. */
  private static final ThreadLocal<Map<ByteBuffer, Mac>> MACS =
      ThreadLocal.withInitial(HashMap::new);

  private static byte[] hmac(byte[] key, byte[]... parts) {
    Mac mac =
        MACS.get()
            .computeIfAbsent(
                ByteBuffer.wrap(key.clone()),
                k -> {
                  try {
                    Mac m = Mac.getInstance("HmacSHA256");
                    m.init(new SecretKeySpec(key, "HmacSHA256"));
                    return m;
                  } catch (GeneralSecurityException e) {
                    throw new IllegalStateException(e);
                  }
                });
    for (byte[] p : parts) {
      mac.update(p);
    }
    return mac.doFinal();
  }
}

package io.lapse.service.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.lapse.commands.v1.CreateFactor;
import io.lapse.commands.v1.DeleteFactor;
import io.lapse.examples.DeviceSigner;
import io.lapse.expiry.ExpiryProcessorApp;
import io.lapse.infra.KafkaBroker;
import io.lapse.infra.SchemaRegistry;
import io.lapse.service.ChallengeServiceApp;
import io.lapse.service.ServiceConfig;
import io.lapse.service.crypto.Base32;
import io.lapse.service.crypto.TotpAlgorithm;
import io.lapse.service.crypto.TotpVerifier;
import io.lapse.service.decision.EntityDecider;
import io.lapse.service.kafka.EventProducer;
import io.lapse.service.support.DeviceTokens;
import io.lapse.service.support.HttpTestClient;
import io.lapse.service.support.HttpTestClient.Reply;
import io.lapse.service.support.Processor;
import io.lapse.service.support.Scenario;
import io.lapse.service.support.SystemEnv;
import io.lapse.service.support.TwoInstances;
import io.lapse.state.v1.FactorSnapshot;
import io.lapse.testkit.LapseIntegration;
import io.lapse.topics.KafkaConnection;
import java.nio.ByteBuffer;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Two challenge-service instances on one broker (same entity-task group, their own HTTP ports and
 * state directories), raced on every rule their entity tasks decide: the same request sent to both
 * at once, {@value #ROUNDS} rounds each, and the rule must hold in every round. Before the single
 * writer, these races broke 60301 in 16–19 of 20 rounds, 60310 in 5 of 5, brought 12–14 of 20
 * deleted factors back, and made two challenges of 16–18 of 20 {@code Idempotency-Key}s. The real
 * expiry processor runs too, since a challenge's verification waits for its decision.
 */
@LapseIntegration
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TwoInstanceRaceIT {
  private static final int ROUNDS = 20;
  private static final Duration VISIBLE = Duration.ofSeconds(15);

  private final ExecutorService pool = Executors.newFixedThreadPool(16);
  private TwoInstances instances;
  private ChallengeServiceApp a;
  private ChallengeServiceApp b;
  private HttpTestClient apiA;
  private HttpTestClient apiB;
  private KafkaConnection kafka;
  private EventProducer producer;
  private ExpiryProcessorApp processor;
  private String service;

  @BeforeAll
  void start(KafkaBroker broker, SchemaRegistry registry) {
    instances = TwoInstances.start(broker, registry);
    System.out.printf(
        "TwoInstanceRaceIT start: A serving after %d ms, B after %d ms more, both entity-task"
            + " clients RUNNING (rebalanced) %d ms after that%n",
        instances.aReadyMs, instances.bReadyMs, instances.bothRunningMs);
    a = instances.a;
    b = instances.b;
    apiA = instances.apiA;
    apiB = instances.apiB;
    kafka = ServiceConfig.fromEnv(instances.env).kafka();
    producer = new EventProducer(kafka);
    processor = Processor.start(instances.env);
    service = new Scenario(apiA, Clock.systemUTC()).service();
    awaitStatus(apiB, "/v2/Services/" + service, 200);
  }

  @AfterAll
  void stop() {
    if (instances != null) {
      // Both instances own partitions of lapse-commands: each decided part of the commands.
      System.out.printf(
          "TwoInstanceRaceIT: commands decided by A's entity tasks %d, by B's %d%n",
          a.entityDecisions().total(), b.entityDecisions().total());
    }
    pool.shutdownNow();
    if (processor != null) {
      processor.close();
    }
    if (producer != null) {
      producer.close();
    }
    if (instances != null) {
      instances.close();
    }
  }

  // ---- helpers ----------------------------------------------------------------------------

  /** Runs the calls at once (released together by a barrier) and returns their replies in order. */
  private List<Reply> race(List<Supplier<Reply>> calls) {
    CyclicBarrier together = new CyclicBarrier(calls.size());
    List<Future<Reply>> running = new ArrayList<>();
    for (Supplier<Reply> call : calls) {
      running.add(
          pool.submit(
              () -> {
                together.await(10, TimeUnit.SECONDS);
                return call.get();
              }));
    }
    List<Reply> replies = new ArrayList<>();
    for (Future<Reply> f : running) {
      try {
        replies.add(f.get(30, TimeUnit.SECONDS));
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }
    return replies;
  }

  private static void awaitStatus(HttpTestClient api, String path, int status) {
    await().atMost(VISIBLE).until(() -> api.get(path).status() == status);
  }

  private static int code(Reply r) {
    return r.json() == null ? 0 : r.json().path("code").asInt();
  }

  private String factors(String identity) {
    return Scenario.entityPath(service, identity) + "/Factors";
  }

  private int factorCount(HttpTestClient api, String identity) {
    Reply r = api.get(factors(identity) + "?PageSize=1000");
    return r.status() == 200 ? r.json().path("factors").size() : 0;
  }

  /** A new TOTP factor created on A with a known seed, once both instances show it. */
  private String[] totpFactorOnBoth(String identity) {
    byte[] seed = new byte[20];
    new SecureRandom().nextBytes(seed);
    String secret = Base32.encode(seed);
    Reply r =
        apiA.post(
            factors(identity),
            "FriendlyName",
            "phone",
            "FactorType",
            "totp",
            "Binding.Secret",
            secret);
    assertThat(r.status()).as(String.valueOf(r.json())).isEqualTo(201);
    String sid = r.text("sid");
    awaitStatus(apiB, factors(identity) + "/" + sid, 200);
    return new String[] {sid, secret};
  }

  private static String codeNow(String secret) {
    return TotpVerifier.codeAt(
        Base32.decode(secret),
        new TotpVerifier.Params(TotpAlgorithm.SHA1, 6, 30, 1),
        Instant.now());
  }

  /** A six-digit code that is none of the window's codes (so certainly wrong). */
  private static String wrongCode(String secret) {
    return wrongCode(secret, 0);
  }

  /**
   * The {@code n}th code (from 0) that matches no step around now. Distinct wrong codes are
   * distinct attempts: the same code sent again is a retry, answered once and counted once.
   */
  private static String wrongCode(String secret, int n) {
    Set<String> window =
        Set.of(-1, 0, 1).stream()
            .map(
                s ->
                    TotpVerifier.codeAt(
                        Base32.decode(secret),
                        new TotpVerifier.Params(TotpAlgorithm.SHA1, 6, 30, 0),
                        Instant.now().plusSeconds(30L * s)))
            .collect(Collectors.toSet());
    for (int i = 0, found = 0; ; i++) {
      String candidate = String.format("%06d", i);
      if (!window.contains(candidate) && found++ == n) {
        return candidate;
      }
    }
  }

  private long decided(String outcome) {
    return a.entityDecisions().count(outcome) + b.entityDecisions().count(outcome);
  }

  // ---- the races --------------------------------------------------------------------------

  @Test
  void shouldCreateExactlyOneEntityForAnIdentityRacedOnBothInstances() {
    int held = 0;
    for (int round = 0; round < ROUNDS; round++) {
      String identity = Scenario.identity();
      String entities = "/v2/Services/" + service + "/Entities";
      List<Reply> replies =
          race(
              List.of(
                  () -> apiA.post(entities, "Identity", identity),
                  () -> apiB.post(entities, "Identity", identity)));
      List<Integer> statuses = replies.stream().map(Reply::status).sorted().toList();
      Reply refused = replies.stream().filter(r -> r.status() == 409).findFirst().orElse(null);
      boolean one = statuses.equals(List.of(201, 409)) && code(refused) == 60301;
      String sid =
          replies.stream().filter(r -> r.status() == 201).findFirst().orElseThrow().text("sid");
      awaitStatus(apiA, entities + "/" + identity, 200);
      await()
          .atMost(VISIBLE)
          .until(() -> sid.equals(apiB.get(entities + "/" + identity).text("sid")));
      assertThat(apiA.get(entities + "/" + identity).text("sid")).isEqualTo(sid);
      held += one ? 1 : 0;
      assertThat(statuses).as("round %d", round).containsExactly(201, 409);
      assertThat(code(refused)).isEqualTo(60301);
    }
    System.out.printf(
        "Race 60301 (identity created on both at once): %d rounds, exactly one entity in %d%n",
        ROUNDS, held);
    assertThat(held).isEqualTo(ROUNDS);
  }

  @Test
  void shouldEnrolOneFactorPerAccessTokenRacedOnBothInstances() {
    int held = 0;
    for (int round = 0; round < ROUNDS; round++) {
      String identity = Scenario.identity();
      Reply issued =
          apiA.post(
              "/v2/Services/" + service + "/AccessTokens",
              "Identity",
              identity,
              "FactorType",
              "push",
              "Ttl",
              "300");
      assertThat(issued.status()).as(String.valueOf(issued.json())).isEqualTo(201);
      String token = issued.text("token");
      HttpTestClient phoneA = new HttpTestClient(a.baseUrl(), "token", token);
      HttpTestClient phoneB = new HttpTestClient(b.baseUrl(), "token", token);
      // Two phones, two key pairs: only the token rule can refuse one of them.
      List<Reply> replies =
          race(
              List.of(
                  () -> phoneA.post(factors(identity), pushEnrolment()),
                  () -> phoneB.post(factors(identity), pushEnrolment())));
      List<Integer> statuses = replies.stream().map(Reply::status).sorted().toList();
      Reply refused = replies.stream().filter(r -> r.status() == 403).findFirst().orElse(null);
      boolean one = statuses.equals(List.of(201, 403)) && code(refused) == 60313;
      await().atMost(VISIBLE).until(() -> factorCount(apiB, identity) >= 1);
      held += one && factorCount(apiA, identity) == 1 && factorCount(apiB, identity) == 1 ? 1 : 0;
      assertThat(statuses).as("round %d", round).containsExactly(201, 403);
      assertThat(code(refused)).isEqualTo(60313);
    }
    System.out.printf(
        "Race 60313 (one access token enrolling on both at once): %d rounds, exactly one factor"
            + " in %d%n",
        ROUNDS, held);
    assertThat(held).isEqualTo(ROUNDS);
  }

  private static String[] pushEnrolment() {
    return new String[] {
      "FriendlyName", "Pixel 8",
      "FactorType", "push",
      "Binding.PublicKey",
          Base64.getEncoder().encodeToString(DeviceSigner.newKeyPair().getPublic().getEncoded()),
      "Binding.Alg", "ES256",
      "Config.SdkVersion", "0.9.0",
      "Config.AppId", "com.example.lapse",
      "Config.NotificationPlatform", "none"
    };
  }

  @Test
  void shouldAcceptAtMostFiveWrongCodesForAFactorRacedOnBothInstances() {
    String identity = Scenario.identity();
    int held = 0;
    int totalAnswered200 = 0;
    for (int round = 0; round < ROUNDS; round++) {
      String[] factor = totpFactorOnBoth(identity);
      String path = factors(identity) + "/" + factor[0];
      List<Supplier<Reply>> calls = new ArrayList<>();
      for (int i = 0; i < 6; i++) {
        String onA = wrongCode(factor[1], 2 * i);
        String onB = wrongCode(factor[1], 2 * i + 1);
        calls.add(() -> apiA.post(path, "AuthPayload", onA));
        calls.add(() -> apiB.post(path, "AuthPayload", onB));
      }
      List<Reply> replies = race(calls);
      long counted = replies.stream().filter(r -> r.status() == 200).count();
      long limited = replies.stream().filter(r -> r.status() == 429 && code(r) == 60310).count();
      assertThat(replies)
          .as("round %d: every answer is a counted wrong code or 60310", round)
          .allMatch(r -> r.status() == 200 || (r.status() == 429 && code(r) == 60310));
      assertThat(replies)
          .filteredOn(r -> r.status() == 200)
          .allMatch(r -> "unverified".equals(r.text("status")));
      Reply after = apiB.post(path, "AuthPayload", codeNow(factor[1]));
      boolean ok =
          counted == EntityDecider.MAX_FAILED_VERIFICATIONS
              && limited == replies.size() - counted
              && after.status() == 429;
      held += ok ? 1 : 0;
      totalAnswered200 += (int) counted;
      assertThat(counted).as("round %d: wrong codes counted", round).isEqualTo(5);
      assertThat(after.status()).as("the right code after five failures").isEqualTo(429);
    }
    System.out.printf(
        "Race 60310 (12 wrong codes per factor, 6 on each instance at once): %d factors, exactly"
            + " 5 counted then 429/60310 in %d (%d wrong codes counted in all)%n",
        ROUNDS, held, totalAnswered200);
    assertThat(held).isEqualTo(ROUNDS);
  }

  @Test
  void shouldNeverBringBackAFactorDeletedOnOneInstanceWhileTheOtherUpdatesIt() {
    String identity = Scenario.identity();
    List<String> deleted = new ArrayList<>();
    int updatedBefore = 0;
    int updateRefused = 0;
    for (int round = 0; round < ROUNDS; round++) {
      String sid = totpFactorOnBoth(identity)[0];
      String path = factors(identity) + "/" + sid;
      List<Reply> replies =
          race(List.of(() -> apiA.delete(path), () -> apiB.post(path, "FriendlyName", "renamed")));
      assertThat(replies.get(0).status()).as("round %d: delete", round).isEqualTo(204);
      int update = replies.get(1).status();
      assertThat(update).as("round %d: update, before or after the delete", round).isIn(200, 404);
      updatedBefore += update == 200 ? 1 : 0;
      updateRefused += update == 404 ? 1 : 0;
      awaitStatus(apiB, path, 404);
      assertThat(apiA.get(path).status()).isEqualTo(404);
      deleted.add(sid);
    }
    Map<String, Boolean> lastIsTombstone =
        lastRecordIsTombstone(kafka.topicNames().factors(), Set.copyOf(deleted));
    long gone =
        deleted.stream()
            .filter(sid -> apiA.get(factors(identity) + "/" + sid).status() == 404)
            .filter(sid -> apiB.get(factors(identity) + "/" + sid).status() == 404)
            .filter(sid -> Boolean.TRUE.equals(lastIsTombstone.get(sid)))
            .count();
    System.out.printf(
        "Race delete vs update (DELETE on A, update on B at once): %d rounds, the update decided"
            + " before the delete in %d, refused 20404 after it in %d; gone on both instances and"
            + " last on lapse-factors a tombstone in %d%n",
        ROUNDS, updatedBefore, updateRefused, gone);
    assertThat(gone).isEqualTo(ROUNDS);
  }

  @Test
  void shouldNeverBringBackAServiceDeletedOnOneInstanceWhileTheOtherUpdatesIt() {
    List<String> deleted = new ArrayList<>();
    int updatedBefore = 0;
    int updateRefused = 0;
    for (int round = 0; round < ROUNDS; round++) {
      String sid = new Scenario(apiA, Clock.systemUTC()).service();
      String path = "/v2/Services/" + sid;
      awaitStatus(apiB, path, 200);
      List<Reply> replies =
          race(List.of(() -> apiA.delete(path), () -> apiB.post(path, "FriendlyName", "renamed")));
      assertThat(replies.get(0).status()).as("round %d: delete", round).isEqualTo(204);
      Reply update = replies.get(1);
      assertThat(update.status())
          .as("round %d: update, before or after the delete", round)
          .isIn(200, 404);
      if (update.status() == 404) {
        assertThat(code(update)).isEqualTo(20404);
      }
      updatedBefore += update.status() == 200 ? 1 : 0;
      updateRefused += update.status() == 404 ? 1 : 0;
      awaitStatus(apiB, path, 404);
      assertThat(apiA.get(path).status()).isEqualTo(404);
      deleted.add(sid);
    }
    Map<String, Boolean> lastIsTombstone =
        lastRecordIsTombstone(kafka.topicNames().services(), Set.copyOf(deleted));
    long gone =
        deleted.stream()
            .filter(sid -> apiA.get("/v2/Services/" + sid).status() == 404)
            .filter(sid -> apiB.get("/v2/Services/" + sid).status() == 404)
            .filter(sid -> Boolean.TRUE.equals(lastIsTombstone.get(sid)))
            .count();
    System.out.printf(
        "Race service delete vs update (DELETE on A, update on B at once): %d rounds, the update"
            + " decided before the delete in %d, refused 20404 after it in %d; gone on both"
            + " instances and last on lapse-services a tombstone in %d%n",
        ROUNDS, updatedBefore, updateRefused, gone);
    assertThat(gone).isEqualTo(ROUNDS);
  }

  @Test
  void shouldLeaveNoLiveChildOfAServiceDeletedWhileTheOtherInstanceCreatesInIt() {
    Set<String> deleted = new HashSet<>();
    int created = 0;
    int refused = 0;
    for (int round = 0; round < ROUNDS; round++) {
      String sid = new Scenario(apiA, Clock.systemUTC()).service();
      String path = "/v2/Services/" + sid;
      awaitStatus(apiB, path, 200);
      // An entity that existed before, with a factor, and two created on B during the deletion.
      String before = Scenario.identity();
      assertThat(apiA.post(path + "/Entities", "Identity", before).status()).isEqualTo(201);
      byte[] seed = new byte[20];
      new SecureRandom().nextBytes(seed);
      String secret = Base32.encode(seed);
      List<Reply> replies =
          race(
              List.of(
                  () -> apiA.delete(path),
                  () -> apiB.post(path + "/Entities", "Identity", Scenario.identity()),
                  () ->
                      apiB.post(
                          path + "/Entities/" + Scenario.identity() + "/Factors",
                          "FriendlyName",
                          "phone",
                          "FactorType",
                          "totp",
                          "Binding.Secret",
                          secret)));
      assertThat(replies.get(0).status()).as("round %d: delete", round).isEqualTo(204);
      for (Reply r : replies.subList(1, 3)) {
        // 503 (with Retry-After) is the routed service's "not now, retry" while the entity's owner
        // cannot be reached, e.g. right after start (decision 0009); Twilio's SDKs retry it. The
        // invariant this test is about is checked below over every snapshot, whatever the answer.
        assertThat(r.status()).as("round %d: create: %s", round, r.json()).isIn(201, 404, 503);
        if (r.status() == 503) {
          assertThat(r.headers().firstValue("Retry-After")).as("round %d: 503", round).isPresent();
        }
        created += r.status() == 201 ? 1 : 0;
        refused += r.status() == 404 ? 1 : 0;
      }
      deleted.add(sid);
    }
    // Every entity and factor of a deleted service: its last snapshot is a tombstone (or it was
    // never written). The purge runs on its own after the answer, so wait for it (bounded).
    await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(500))
        .until(() -> liveChildren(deleted) == 0);
    long live = liveChildren(deleted);
    System.out.printf(
        "Race service delete vs child creates (DELETE on A, an entity and a factor created on B"
            + " at once): %d rounds, %d creates decided before the delete (then purged), %d"
            + " refused 20404 after it; live entities or factors of deleted services on the"
            + " log: %d%n",
        ROUNDS, created, refused, live);
    assertThat(live).isZero();
  }

  @Test
  void shouldAcceptOnlyTheFactorsAnEntityMayStillHaveWhenCreationsRaceOnBothInstances() {
    int held = 0;
    for (int round = 0; round < ROUNDS; round++) {
      String identity = Scenario.identity();
      // 18 push factors straight on the log, then 4 creations raced over HTTP: 2 fit under 20.
      List<SpecificRecord> setup = new ArrayList<>();
      for (int i = 0; i < EntityDecider.MAX_PUSH_PER_ENTITY - 2; i++) {
        setup.add(createFactorCommand(identity, EntityDecider.PUSH));
      }
      sendCommands(identity, setup);
      awaitFactorCount(identity, EntityDecider.MAX_PUSH_PER_ENTITY - 2);
      List<Supplier<Reply>> calls = new ArrayList<>();
      for (int i = 0; i < 2; i++) {
        calls.add(() -> apiA.post(factors(identity), pushForm(DeviceSigner.newKeyPair())));
        calls.add(() -> apiB.post(factors(identity), pushForm(DeviceSigner.newKeyPair())));
      }
      List<Reply> replies = race(calls);
      long created = replies.stream().filter(r -> r.status() == 201).count();
      long refused = replies.stream().filter(r -> code(r) == 60315).count();
      held += created == 2 && refused == 2 ? 1 : 0;
      assertThat(created).as("round %d: created", round).isEqualTo(2);
      assertThat(refused).as("round %d: refused 60315", round).isEqualTo(2);
    }
    System.out.printf(
        "Race 60315 (18 push factors, then 4 creations at once, 2 per instance): %d rounds,"
            + " exactly 2 created and 2 refused in %d%n",
        ROUNDS, held);
    assertThat(held).isEqualTo(ROUNDS);
  }

  @Test
  void shouldAcceptOneHundredFactorCreationsADayWhenCreationsRaceOnBothInstances() {
    int held = 0;
    for (int round = 0; round < ROUNDS; round++) {
      String identity = Scenario.identity();
      // 99 creations and 10 deletions straight on the log (89 factors remain, far from 60315),
      // then 4 creations raced over HTTP: only the 100th creation of the day fits.
      List<SpecificRecord> setup = new ArrayList<>();
      List<String> sids = new ArrayList<>();
      for (int i = 0; i < EntityDecider.MAX_FACTOR_CREATIONS_PER_DAY - 1; i++) {
        CreateFactor c = createFactorCommand(identity, EntityDecider.TOTP);
        sids.add(c.getFactor().getSid());
        setup.add(c);
      }
      for (String sid : sids.subList(0, 10)) {
        setup.add(
            DeleteFactor.newBuilder()
                .setRequestId("RQ-setup-" + sid)
                .setIssuedAt(Instant.now())
                .setServiceSid(service)
                .setIdentity(identity)
                .setFactorSid(sid)
                .build());
      }
      sendCommands(identity, setup);
      awaitFactorCount(identity, 89);
      List<Supplier<Reply>> calls = new ArrayList<>();
      for (int i = 0; i < 2; i++) {
        calls.add(() -> apiA.post(factors(identity), "FriendlyName", "p", "FactorType", "totp"));
        calls.add(() -> apiB.post(factors(identity), "FriendlyName", "p", "FactorType", "totp"));
      }
      List<Reply> replies = race(calls);
      long created = replies.stream().filter(r -> r.status() == 201).count();
      long refused = replies.stream().filter(r -> r.status() == 429 && code(r) == 60326).count();
      held += created == 1 && refused == 3 ? 1 : 0;
      assertThat(created).as("round %d: created", round).isEqualTo(1);
      assertThat(refused).as("round %d: refused 60326", round).isEqualTo(3);
    }
    System.out.printf(
        "Race 60326 (99 creations and 10 deletions, then 4 creations at once, 2 per instance):"
            + " %d rounds, exactly 1 created and 3 refused in %d%n",
        ROUNDS, held);
    assertThat(held).isEqualTo(ROUNDS);
  }

  @Test
  void shouldAcceptAFactorsTimeStepOnceWhenTheSameCodeRacesOnBothInstances() {
    String identity = Scenario.identity();
    long verifiedBefore = decided("factor-verified");
    long alreadyBefore = decided("already-verified");
    long updatedBefore = decided("factor-updated");
    long reusedBefore = decided("reused-step");
    int bothVerified = 0;
    for (int round = 0; round < ROUNDS; round++) {
      String[] factor = totpFactorOnBoth(identity);
      String path = factors(identity) + "/" + factor[0];
      String code = codeNow(factor[1]);
      List<Reply> replies =
          race(
              List.of(
                  () -> apiA.post(path, "AuthPayload", code),
                  () -> apiB.post(path, "AuthPayload", code)));
      // The second is answered as Twilio answers any update of a verified factor: 200, verified.
      assertThat(replies).allMatch(r -> r.status() == 200 && "verified".equals(r.text("status")));
      bothVerified++;
    }
    long verified = decided("factor-verified") - verifiedBefore;
    long already = decided("already-verified") - alreadyBefore;
    long plainUpdates = decided("factor-updated") - updatedBefore;
    long reused = decided("reused-step") - reusedBefore;
    System.out.printf(
        "Race one-time step (the same right code on both at once): %d rounds, both answered 200"
            + " verified in %d; the entity tasks accepted the step %d times; the other request"
            + " found the factor verified %d times (sent as a verification %d, as a plain update"
            + " %d); reused-step decisions %d%n",
        ROUNDS, bothVerified, verified, already + plainUpdates, already, plainUpdates, reused);
    assertThat(verified).isEqualTo(ROUNDS);
    assertThat(already + plainUpdates).isEqualTo(ROUNDS);
    assertThat(reused).isZero();
  }

  // ---- challenges -------------------------------------------------------------------------

  private String challenges(String identity) {
    return Scenario.entityPath(service, identity) + "/Challenges";
  }

  /** A TOTP factor verified on A with the previous step's code, once B shows it verified. */
  private String[] verifiedTotpOnBoth(String identity, int codeLength) {
    byte[] seed = new byte[20];
    new SecureRandom().nextBytes(seed);
    String secret = Base32.encode(seed);
    Reply r =
        apiA.post(
            factors(identity),
            "FriendlyName",
            "phone",
            "FactorType",
            "totp",
            "Binding.Secret",
            secret,
            "Config.CodeLength",
            String.valueOf(codeLength));
    assertThat(r.status()).as(String.valueOf(r.json())).isEqualTo(201);
    String sid = r.text("sid");
    String previous =
        TotpVerifier.codeAt(
            Base32.decode(secret),
            new TotpVerifier.Params(TotpAlgorithm.SHA1, codeLength, 30, 1),
            Instant.now().minusSeconds(30));
    assertThat(apiA.post(factors(identity) + "/" + sid, "AuthPayload", previous).text("status"))
        .isEqualTo("verified");
    await()
        .atMost(VISIBLE)
        .until(() -> "verified".equals(apiB.get(factors(identity) + "/" + sid).text("status")));
    return new String[] {sid, secret};
  }

  /** A challenge created on A, once B shows it. */
  private String challengeOnBoth(String identity, String factorSid, String... more) {
    List<String> form = new ArrayList<>(List.of("FactorSid", factorSid));
    form.addAll(List.of(more));
    Reply r = apiA.post(challenges(identity), form.toArray(String[]::new));
    assertThat(r.status()).as(String.valueOf(r.json())).isEqualTo(201);
    String sid = r.text("sid");
    awaitStatus(apiB, challenges(identity) + "/" + sid, 200);
    return sid;
  }

  /**
   * A stolen device token (a verified push factor's key, signed exactly as the SDKs sign) used on
   * both instances at once: it answers its own challenge once, whatever instance each answer
   * reaches, and neither instance lets it touch its entity, its other factors or their challenges.
   */
  @Test
  void shouldLetAStolenDeviceTokenDecideItsOwnChallengeOnceAndNothingElseOnEitherInstance() {
    String identity = Scenario.identity();
    Scenario.PushFactor push =
        new Scenario(apiA, Clock.systemUTC()).verifiedPush(service, identity, "none");
    String entity = Scenario.entityPath(service, identity);
    String kid =
        apiA.get(entity + "/Factors/" + push.sid())
            .json()
            .path("config")
            .path("credential_sid")
            .asText();
    String[] other = verifiedTotpOnBoth(identity, 6);
    awaitStatus(apiB, entity + "/Factors/" + push.sid(), 200);
    int held = 0;
    for (int round = 0; round < ROUNDS; round++) {
      HttpTestClient deviceA =
          DeviceTokens.client(
              a.baseUrl(),
              DeviceSigner.sdkToken(push.keys(), kid, SystemEnv.ACCOUNT, Instant.now()));
      HttpTestClient deviceB =
          DeviceTokens.client(
              b.baseUrl(),
              DeviceSigner.sdkToken(push.keys(), kid, SystemEnv.ACCOUNT, Instant.now()));
      String sid = challengeOnBoth(identity, push.sid(), "Details.Message", "Sign in?");
      String path = challenges(identity) + "/" + sid;
      Reply read = deviceB.get(path);
      assertThat(read.status())
          .as("round %d: the device reads its challenge on B", round)
          .isEqualTo(200);
      String approve = Scenario.approvalJws(push.keys(), read, "approved");
      String deny = Scenario.approvalJws(push.keys(), read, "denied");
      List<Reply> replies =
          race(
              List.of(
                  () -> deviceA.post(path, "AuthPayload", approve),
                  () -> deviceB.post(path, "AuthPayload", deny)));
      // One answer decides (200 with its status); the other finds it decided (403 / 60322), or,
      // reaching the arbiter after it, sees the same decision.
      long decidedHere = replies.stream().filter(r -> r.status() == 200).count();
      Set<String> finals = new HashSet<>();
      for (HttpTestClient api : List.of(apiA, apiB)) {
        await().atMost(VISIBLE).until(() -> !"pending".equals(api.get(path).text("status")));
        finals.add(api.get(path).text("status"));
      }
      assertThat(finals).as("round %d: one outcome on both instances", round).hasSize(1);
      assertThat(decidedHere).as("round %d: %s", round, replies).isGreaterThanOrEqualTo(1);
      for (Reply r : replies) {
        if (r.status() != 200) {
          assertThat(code(r)).as("round %d", round).isEqualTo(60322);
        }
      }
      held++;
    }
    // What the token may not do, on the instance that did not enrol the factor.
    HttpTestClient stolen =
        DeviceTokens.client(
            b.baseUrl(), DeviceSigner.sdkToken(push.keys(), kid, SystemEnv.ACCOUNT, Instant.now()));
    String otherChallenge = challengeOnBoth(identity, other[0]);
    assertThat(stolen.delete(entity).status()).isEqualTo(401);
    assertThat(stolen.delete(entity + "/").status()).isEqualTo(401);
    assertThat(stolen.get(entity + "/Factors/" + other[0]).status()).isEqualTo(401);
    assertThat(stolen.get(challenges(identity) + "/" + otherChallenge).status()).isEqualTo(401);
    assertThat(stolen.post(entity + "/Factors", "FriendlyName", "x", "FactorType", "totp").status())
        .isEqualTo(401);
    assertThat(apiA.get(entity).status()).as("the entity survives").isEqualTo(200);
    System.out.printf(
        "Race stolen device token (approve on A, deny on B at once): %d rounds, one outcome on both"
            + " instances in %d; entity delete, other factor, other factor's challenge and enrolment"
            + " refused on B%n",
        ROUNDS, held);
    assertThat(held).isEqualTo(ROUNDS);
  }

  @Test
  void shouldApproveOneOfTwoChallengesWhenOneCodeRacesOnBothInstances() {
    String identity = Scenario.identity();
    int held = 0;
    long reusedBefore = decided("reused-step");
    for (int round = 0; round < ROUNDS; round++) {
      String[] factor = verifiedTotpOnBoth(identity, 6);
      String first = challengeOnBoth(identity, factor[0]);
      String second = challengeOnBoth(identity, factor[0]);
      String code = codeNow(factor[1]);
      List<Reply> replies =
          race(
              List.of(
                  () -> apiA.post(challenges(identity) + "/" + first, "AuthPayload", code),
                  () -> apiB.post(challenges(identity) + "/" + second, "AuthPayload", code)));
      assertThat(replies).as("round %d", round).allMatch(r -> r.status() == 200);
      List<String> statuses = replies.stream().map(r -> r.text("status")).sorted().toList();
      held += statuses.equals(List.of("approved", "pending")) ? 1 : 0;
      assertThat(statuses).as("round %d", round).containsExactly("approved", "pending");
    }
    System.out.printf(
        "Race one-time step on two challenges (one code on a challenge on A and another on B at"
            + " once): %d rounds, exactly one approved and one 200 pending in %d; reused-step"
            + " decisions %d%n",
        ROUNDS, held, decided("reused-step") - reusedBefore);
    assertThat(held).isEqualTo(ROUNDS);
  }

  @Test
  void shouldCreateOneChallengeForAnIdempotencyKeyRacedOnBothInstances() {
    String identity = Scenario.identity();
    String factor = verifiedTotpOnBoth(identity, 6)[0];
    int held = 0;
    for (int round = 0; round < ROUNDS; round++) {
      String key = "key-" + round + "-" + System.nanoTime();
      List<Reply> replies =
          race(
              List.of(
                  () ->
                      apiA.postWithHeader(
                          challenges(identity), "Idempotency-Key", key, "FactorSid", factor),
                  () ->
                      apiB.postWithHeader(
                          challenges(identity), "Idempotency-Key", key, "FactorSid", factor)));
      assertThat(replies).as("round %d", round).allMatch(r -> r.status() == 201);
      Set<String> sids = replies.stream().map(r -> r.text("sid")).collect(Collectors.toSet());
      held += sids.size() == 1 ? 1 : 0;
      assertThat(sids).as("round %d: one challenge", round).hasSize(1);
    }
    Reply list = apiA.get(challenges(identity) + "?PageSize=1000");
    System.out.printf(
        "Race Idempotency-Key (one key on both at once): %d rounds, one challenge in %d; %d"
            + " challenges listed for the entity%n",
        ROUNDS, held, list.json().path("challenges").size());
    assertThat(held).isEqualTo(ROUNDS);
    assertThat(list.json().path("challenges").size()).isEqualTo(ROUNDS);
  }

  @Test
  void shouldCreateTenChallengesADayForAFourDigitFactorWhenCreatesRaceOnBothInstances() {
    String identity = Scenario.identity();
    int held = 0;
    for (int round = 0; round < ROUNDS; round++) {
      String factor = verifiedTotpOnBoth(identity, 4)[0];
      for (int i = 0; i < 8; i++) {
        assertThat(apiA.post(challenges(identity), "FactorSid", factor).status()).isEqualTo(201);
      }
      List<Supplier<Reply>> calls = new ArrayList<>();
      for (int i = 0; i < 2; i++) {
        calls.add(() -> apiA.post(challenges(identity), "FactorSid", factor));
        calls.add(() -> apiB.post(challenges(identity), "FactorSid", factor));
      }
      List<Reply> replies = race(calls);
      long created = replies.stream().filter(r -> r.status() == 201).count();
      long refused = replies.stream().filter(r -> r.status() == 429 && code(r) == 60312).count();
      held += created == 2 && refused == 2 ? 1 : 0;
      assertThat(created).as("round %d: created", round).isEqualTo(2);
      assertThat(refused).as("round %d: refused 60312", round).isEqualTo(2);
    }
    System.out.printf(
        "Race 60312 (a 4-digit TOTP factor: 8 challenges, then 4 creates at once, 2 per"
            + " instance): %d rounds, exactly 2 created and 2 refused in %d%n",
        ROUNDS, held);
    assertThat(held).isEqualTo(ROUNDS);
  }

  @Test
  void shouldSendThreeNotificationsPerChallengeWhenRequestsRaceOnBothInstances() {
    String identity = Scenario.identity();
    Scenario.PushFactor push =
        new Scenario(apiA, Clock.systemUTC()).verifiedPush(service, identity, "fcm");
    await()
        .atMost(VISIBLE)
        .until(
            () -> "verified".equals(apiB.get(factors(identity) + "/" + push.sid()).text("status")));
    int held = 0;
    for (int round = 0; round < ROUNDS; round++) {
      String sid = challengeOnBoth(identity, push.sid(), "Details.Message", "Log in?");
      String notifications = challenges(identity) + "/" + sid + "/Notifications";
      assertThat(apiA.post(notifications).status()).isEqualTo(201);
      List<Supplier<Reply>> calls = new ArrayList<>();
      for (int i = 0; i < 2; i++) {
        calls.add(() -> apiA.post(notifications));
        calls.add(() -> apiB.post(notifications));
      }
      List<Reply> replies = race(calls);
      long sent = replies.stream().filter(r -> r.status() == 201).count();
      long refused = replies.stream().filter(r -> r.status() == 429 && code(r) == 60309).count();
      held += sent == 2 && refused == 2 ? 1 : 0;
      assertThat(sent).as("round %d: sent", round).isEqualTo(2);
      assertThat(refused).as("round %d: refused 60309", round).isEqualTo(2);
    }
    System.out.printf(
        "Race 60309 (one notification, then 4 at once, 2 per instance): %d rounds, exactly 2"
            + " sent and 2 refused in %d%n",
        ROUNDS, held);
    assertThat(held).isEqualTo(ROUNDS);
  }

  // ---- setup on the log -------------------------------------------------------------------

  private CreateFactor createFactorCommand(String identity, String type) {
    String sid = io.lapse.service.domain.Sids.random(io.lapse.service.domain.Sids.FACTOR);
    byte[] digest = new byte[32];
    new SecureRandom().nextBytes(digest);
    Instant now = Instant.now();
    FactorSnapshot.Builder f =
        FactorSnapshot.newBuilder()
            .setSid(sid)
            .setAccountSid(SystemEnv.ACCOUNT)
            .setServiceSid(service)
            .setEntitySid("")
            .setIdentity(identity)
            .setFriendlyName("setup")
            .setFactorType(type)
            .setStatus(EntityDecider.UNVERIFIED)
            .setCreatedAt(now)
            .setUpdatedAt(now);
    if (EntityDecider.PUSH.equals(type)) {
      KeyPair keys = DeviceSigner.newKeyPair();
      f.setBindingAlg("ES256")
          .setBindingPublicKey(Base64.getEncoder().encodeToString(keys.getPublic().getEncoded()))
          .setAppId("com.example.app")
          .setSdkVersion("1.0.0")
          .setNotificationPlatform("none")
          .setCredentialSid(io.lapse.service.domain.Sids.random("CR"));
    } else {
      f.setTotpSecretCiphertext(ByteBuffer.wrap(digest))
          .setTotpSecretKeyId("k-setup")
          .setTotpAlg("sha1")
          .setTotpTimeStep(30)
          .setTotpCodeLength(6)
          .setTotpSkew(1);
    }
    return CreateFactor.newBuilder()
        .setRequestId("RQ-setup-" + sid)
        .setIssuedAt(now)
        .setServiceSid(service)
        .setIdentity(identity)
        .setEntitySid(io.lapse.service.domain.Sids.random(io.lapse.service.domain.Sids.ENTITY))
        .setFactor(f.build())
        .setBindingDigest(ByteBuffer.wrap(digest))
        .build();
  }

  private void sendCommands(String identity, List<SpecificRecord> commands) {
    String key = service + "/" + identity;
    for (SpecificRecord c : commands.subList(0, commands.size() - 1)) {
      producer.send(kafka.topics().commands(), key, c);
    }
    // One key, one partition, an idempotent producer: the last is durable after all the others.
    producer.sendAndWait(kafka.topics().commands(), key, commands.get(commands.size() - 1));
  }

  private void awaitFactorCount(String identity, int count) {
    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> factorCount(apiA, identity) == count && factorCount(apiB, identity) == count);
  }

  private static String[] pushForm(KeyPair keys) {
    return new String[] {
      "FriendlyName", "device",
      "FactorType", "push",
      "Binding.Alg", "ES256",
      "Binding.PublicKey", Base64.getEncoder().encodeToString(keys.getPublic().getEncoded()),
      "Config.AppId", "com.example.app",
      "Config.SdkVersion", "1.0.0",
      "Config.NotificationPlatform", "none"
    };
  }

  /**
   * The entities and factors of the given services whose last snapshot on lapse-entities or
   * lapse-factors (read_committed) is not a tombstone.
   */
  private long liveChildren(Set<String> services) {
    Map<String, byte[]> last = new HashMap<>();
    last.putAll(lastRecords(kafka.topicNames().entities(), k -> true));
    last.putAll(lastRecords(kafka.topicNames().factors(), k -> true));
    long live = 0;
    for (Map.Entry<String, byte[]> e : last.entrySet()) {
      if (e.getValue() == null) {
        continue;
      }
      String serviceSid =
          e.getKey().startsWith("YE")
              ? kafka
                  .topics()
                  .entities()
                  .valueDeserializer()
                  .deserialize(kafka.topicNames().entities(), e.getValue())
                  .getServiceSid()
              : kafka
                  .topics()
                  .factors()
                  .valueDeserializer()
                  .deserialize(kafka.topicNames().factors(), e.getValue())
                  .getServiceSid();
      live += services.contains(serviceSid) ? 1 : 0;
    }
    return live;
  }

  /** Whether the last record of each key on the topic (read_committed) is a tombstone. */
  private Map<String, Boolean> lastRecordIsTombstone(String topic, Set<String> sids) {
    Map<String, Boolean> last = new HashMap<>();
    lastRecords(topic, sids::contains).forEach((k, v) -> last.put(k, v == null));
    return last;
  }

  /** The last value (null: a tombstone) of each key the filter takes, on the topic. */
  private Map<String, byte[]> lastRecords(String topic, java.util.function.Predicate<String> keys) {
    Map<String, Object> props = kafka.clientProps();
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    Map<String, byte[]> last = new HashMap<>();
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> partitions =
          consumer.partitionsFor(topic).stream()
              .map(p -> new TopicPartition(topic, p.partition()))
              .toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))
          && System.nanoTime() < deadline) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          String key = new String(r.key(), java.nio.charset.StandardCharsets.UTF_8);
          if (keys.test(key)) {
            last.put(key, r.value());
          }
        }
      }
    }
    return last;
  }
}

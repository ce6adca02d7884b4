package io.lapse.service.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.lapse.infra.KafkaBroker;
import io.lapse.infra.SchemaRegistry;
import io.lapse.service.ChallengeServiceApp;
import io.lapse.service.ServiceConfig;
import io.lapse.service.domain.Challenges;
import io.lapse.service.domain.Sids;
import io.lapse.service.support.HttpTestClient;
import io.lapse.service.support.HttpTestClient.Reply;
import io.lapse.service.support.Scenario;
import io.lapse.service.support.SystemEnv;
import io.lapse.testkit.LapseIntegration;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Read-your-writes across challenge-service instances on one broker: a resource created on one
 * instance (201) is read at once on another, which answers 200, never 404 — the reader catches up
 * with the log before it would answer 404 (docs/decisions/0009-partitioned-reads.md). First two
 * instances, then a third joins. Before, 21–33 of 100 factors read this way answered 404.
 */
@LapseIntegration
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CrossInstanceReadIT {
  private static final int ROUNDS = 200;

  private final List<ChallengeServiceApp> instances = new ArrayList<>();
  private final List<HttpTestClient> apis = new ArrayList<>();
  private Map<String, String> env;
  private String service;
  private String identity;
  private Scenario.PushFactor factor;

  @BeforeAll
  void start(KafkaBroker broker, SchemaRegistry registry) {
    env = SystemEnv.create(broker, registry);
    addInstance("a");
    addInstance("b");
    HttpTestClient a = apis.get(0);
    Scenario scenario = new Scenario(a, Clock.systemUTC());
    service = scenario.service();
    identity = Scenario.identity();
    // Push: a TOTP factor may create 50 challenges an hour (60312).
    factor = scenario.verifiedPush(service, identity, "none");
  }

  private void addInstance(String name) {
    Map<String, String> own = new HashMap<>(env);
    own.put(
        ServiceConfig.SERVICE_STATE_DIR.name(),
        env.get(ServiceConfig.SERVICE_STATE_DIR.name()) + "-" + name);
    ChallengeServiceApp app = ChallengeServiceApp.start(ServiceConfig.fromEnv(own));
    instances.add(app);
    apis.add(new HttpTestClient(app.baseUrl(), SystemEnv.ACCOUNT, SystemEnv.TOKEN));
    // A joining instance rebalances the entity tasks: writes wait until every client runs.
    await()
        .atMost(Duration.ofSeconds(60))
        .until(
            () ->
                instances.stream()
                    .allMatch(i -> i.entityTasksState() == KafkaStreams.State.RUNNING));
  }

  @AfterAll
  void stop() {
    for (int i = instances.size() - 1; i >= 0; i--) {
      instances.get(i).close();
    }
  }

  @Test
  @Order(1)
  void shouldReadOnTwoInstancesWhatTheOtherJustCreated() {
    rounds();
  }

  @Test
  @Order(2)
  void shouldReadOnThreeInstancesWhatAnotherJustCreated() {
    addInstance("c");
    rounds();
  }

  @Test
  @Order(3)
  void shouldStillAnswer404ForWhatNobodyCreatedAfterABoundedWait() {
    long bound = ServiceConfig.fromEnv(env).readSyncTimeout().toMillis();
    long[] took = new long[20];
    for (int i = 0; i < took.length; i++) {
      HttpTestClient api = apis.get(i % apis.size());
      String path = Scenario.entityPath(service, identity) + "/Factors/" + Sids.random(Sids.FACTOR);
      long t0 = System.nanoTime();
      Reply r = api.get(path);
      took[i] = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
      assertThat(r.status()).isEqualTo(404);
      assertThat(r.json().path("code").asInt()).isEqualTo(20404);
      Reply c =
          api.get(
              Scenario.entityPath(service, identity)
                  + "/Challenges/"
                  + Sids.random(Sids.CHALLENGE));
      assertThat(c.status()).isEqualTo(404);
    }
    Arrays.sort(took);
    System.out.printf(
        "CrossInstanceReadIT: a factor nobody created answers 404 after p50 %d ms, max %d ms"
            + " (bound %d ms)%n",
        took[took.length / 2], took[took.length - 1], bound);
    assertThat(took[took.length - 1]).isLessThan(bound + 1_000);
  }

  /** {@value #ROUNDS} factors and {@value #ROUNDS} challenges, each read at once elsewhere. */
  private void rounds() {
    int n = instances.size();
    long syncedBefore = synced();
    long foundBefore = foundAfterSync();
    long[] factorReads = new long[ROUNDS];
    long[] challengeReads = new long[ROUNDS];
    // The same reads, split by whether the reader owns the entity (its store answered) or
    // forwarded the GET to the owner.
    List<Long> onOwner = new ArrayList<>();
    List<Long> onNonOwner = new ArrayList<>();
    int notFound = 0;
    String entity = Scenario.entityPath(service, identity);
    for (int round = 0; round < ROUNDS; round++) {
      HttpTestClient writer = apis.get(round % n);
      HttpTestClient reader = apis.get((round + 1) % n);

      // A factor of a new entity: the entity and the factor are both new to the reader.
      String newcomer = Scenario.identity();
      String factors = Scenario.entityPath(service, newcomer) + "/Factors";
      Reply created = writer.post(factors, "FriendlyName", "phone", "FactorType", "totp");
      assertThat(created.status()).as(String.valueOf(created.json())).isEqualTo(201);
      long t0 = System.nanoTime();
      Reply read = reader.get(factors + "/" + created.text("sid"));
      factorReads[round] = System.nanoTime() - t0;
      if (read.status() == 404) {
        notFound++;
      }
      assertThat(read.status()).as("round %d factor: %s", round, read.json()).isEqualTo(200);
      assertThat(read.text("sid")).isEqualTo(created.text("sid"));

      Reply challenge =
          writer.post(
              entity + "/Challenges", "FactorSid", factor.sid(), "Details.Message", "Sign in");
      assertThat(challenge.status()).as(String.valueOf(challenge.json())).isEqualTo(201);
      t0 = System.nanoTime();
      Reply readChallenge = reader.get(entity + "/Challenges/" + challenge.text("sid"));
      challengeReads[round] = System.nanoTime() - t0;
      String servedBy = readChallenge.headers().firstValue("Lapse-Served-By").orElse("");
      (servedBy.equals(instances.get((round + 1) % n).instanceId()) ? onOwner : onNonOwner)
          .add(challengeReads[round]);
      if (readChallenge.status() == 404) {
        notFound++;
      }
      assertThat(readChallenge.status())
          .as("round %d challenge: %s", round, readChallenge.json())
          .isEqualTo(200);
      assertThat(readChallenge.text("status")).isEqualTo("pending");
    }
    Arrays.sort(factorReads);
    Arrays.sort(challengeReads);
    System.out.printf(
        "CrossInstanceReadIT: %d instances, %d rounds: 404s %d; read on a non-writer: factor"
            + " p50 %.2f ms, p99 %.2f ms, max %.2f ms; challenge p50 %.2f ms, p99 %.2f ms, max"
            + " %.2f ms; reads that caught up first %d of %d (found after it %d)%n",
        n,
        ROUNDS,
        notFound,
        ms(factorReads[ROUNDS / 2]),
        ms(factorReads[(int) Math.ceil(ROUNDS * 0.99) - 1]),
        ms(factorReads[ROUNDS - 1]),
        ms(challengeReads[ROUNDS / 2]),
        ms(challengeReads[(int) Math.ceil(ROUNDS * 0.99) - 1]),
        ms(challengeReads[ROUNDS - 1]),
        synced() - syncedBefore,
        2 * ROUNDS,
        foundAfterSync() - foundBefore);
    System.out.printf(
        "CrossInstanceReadIT: %d instances: challenge read on the owner (its store) %s; on a"
            + " non-owner (forwarded to it) %s%n",
        n, percentiles(onOwner), percentiles(onNonOwner));
    assertThat(notFound).isZero();
    // Every challenge read was answered by the owner's store, none by the in-heap view.
    for (ChallengeServiceApp i : instances) {
      for (Challenges.Fallback why : Challenges.Fallback.values()) {
        assertThat(i.domain().challenges().fromView(why)).as("%s on %s", why, i).isZero();
      }
    }
  }

  private static String percentiles(List<Long> nanos) {
    if (nanos.isEmpty()) {
      return "none";
    }
    List<Long> sorted = new ArrayList<>(nanos);
    sorted.sort(null);
    int size = sorted.size();
    return String.format(
        "n %d p50 %.2f ms p99 %.2f ms",
        size, ms(sorted.get(size / 2)), ms(sorted.get((int) Math.ceil(size * 0.99) - 1)));
  }

  private long synced() {
    return instances.stream().mapToLong(i -> i.domain().misses().synced()).sum();
  }

  private long foundAfterSync() {
    return instances.stream().mapToLong(i -> i.domain().misses().foundAfterSync()).sum();
  }

  private static double ms(long nanos) {
    return nanos / 1_000_000.0;
  }
}

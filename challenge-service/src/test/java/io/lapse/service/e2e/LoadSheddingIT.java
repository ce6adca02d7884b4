package io.lapse.service.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.lapse.expiry.ExpiryProcessorApp;
import io.lapse.infra.KafkaBroker;
import io.lapse.infra.SchemaRegistry;
import io.lapse.service.ChallengeServiceApp;
import io.lapse.service.ServiceConfig;
import io.lapse.service.support.HttpTestClient;
import io.lapse.service.support.HttpTestClient.Reply;
import io.lapse.service.support.Processor;
import io.lapse.service.support.Scenario;
import io.lapse.service.support.SystemEnv;
import io.lapse.testkit.LapseIntegration;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Requests waiting for a decision are capped (docs/decisions/0009-partitioned-reads.md).
 *
 * <p>With the expiry processor not running, a verification waits for a decision that does not come.
 * Twice the cap of such verifications are fired at once: the cap of them wait (holding no request
 * thread), the rest are answered at once 503 / 20503 with {@code Retry-After: 1} and publish
 * nothing; GETs of other resources stay fast meanwhile; once the processor starts, every accepted
 * verification is answered with its real outcome (docs/decisions/0009-partitioned-reads.md).
 */
@LapseIntegration
class LoadSheddingIT {
  private static final int CAP = 24;
  private static final int FIRED = 2 * CAP;
  private static final int GETS = 200;

  private ChallengeServiceApp service;
  private ExpiryProcessorApp processor;
  private final ExecutorService pool = Executors.newFixedThreadPool(FIRED);

  @AfterEach
  void stop() {
    pool.shutdownNow();
    if (processor != null) {
      processor.close();
    }
    if (service != null) {
      service.close();
    }
  }

  /**
   * What a fired request got, and how long it took; {@code key}: the verified challenge's SID, or
   * the create's message.
   */
  private record Answer(String key, Reply reply, long millis) {}

  @Test
  void shouldShedVerificationsBeyondTheCapAndAnswerEveryAcceptedOneOnceTheProcessorRuns(
      KafkaBroker broker, SchemaRegistry registry) throws Exception {
    // Long enough that an accepted verification outlives the processor's start.
    Map<String, String> env = start(broker, registry, ServiceConfig.VERIFY_TIMEOUT.name());
    HttpTestClient api = api();
    Scenario scenario = new Scenario(api, Clock.systemUTC());
    String serviceSid = scenario.service();
    String identity = Scenario.identity();
    Scenario.PushFactor factor = scenario.verifiedPush(serviceSid, identity, "none");
    String challenges = Scenario.entityPath(serviceSid, identity) + "/Challenges";
    List<String> sids = new ArrayList<>();
    List<String> approvals = new ArrayList<>();
    for (int i = 0; i < FIRED; i++) {
      Reply created =
          api.post(challenges, "FactorSid", factor.sid(), "Details.Message", "Sign in " + i);
      assertThat(created.status()).as(String.valueOf(created.json())).isEqualTo(201);
      String sid = created.text("sid");
      sids.add(sid);
      approvals.add(
          Scenario.approvalJws(factor.keys(), api.get(challenges + "/" + sid), "approved"));
    }

    warmUp(api, serviceSid);

    // Fire them all at once; no processor runs, so no decision comes yet.
    CountDownLatch go = new CountDownLatch(1);
    List<Future<Answer>> fired = new ArrayList<>();
    for (int i = 0; i < FIRED; i++) {
      String sid = sids.get(i);
      String jws = approvals.get(i);
      fired.add(
          pool.submit(
              () -> {
                go.await();
                long t0 = System.nanoTime();
                Reply r = api.post(challenges + "/" + sid, "AuthPayload", jws);
                return new Answer(sid, r, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
              }));
    }
    go.countDown();
    long firedAt = System.nanoTime();

    // The excess is refused at once; the cap of them wait.
    await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(5))
        .until(() -> fired.stream().filter(Future::isDone).count() == FIRED - CAP);
    long allRefused = System.nanoTime();
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> service.domain().waitingVerifications().waiting() == CAP);
    Map<String, Answer> refused = new ConcurrentHashMap<>();
    for (Future<Answer> f : fired) {
      if (f.isDone()) {
        Answer a = f.get();
        refused.put(a.key(), a);
      }
    }
    assertThat(refused).hasSize(FIRED - CAP);
    long[] refusal = refusals(refused.values());

    // No request thread is held by a waiting verification.
    assertThat(jettyThreadsWaitingInLapseCode())
        .as("Jetty threads blocked inside Lapse while verifications wait")
        .isZero();

    // Other requests answer fast while the verifications wait.
    String[] others = {
      "/v2/Services/" + serviceSid,
      Scenario.entityPath(serviceSid, identity),
      Scenario.entityPath(serviceSid, identity) + "/Factors/" + factor.sid(),
      challenges + "/" + sids.get(0),
      challenges + "?PageSize=5"
    };
    long[] gets = timedGets(api, others);
    assertThat(fired.stream().filter(Future::isDone).count())
        .as("accepted verifications still waiting after the GETs")
        .isEqualTo(FIRED - CAP);
    assertThat(api.metric("lapse_requests_shed_total{for=\"decision\"}")).isEqualTo(FIRED - CAP);

    // A refused verification published nothing: its challenge is still pending.
    for (String sid : refused.keySet()) {
      assertThat(api.get(challenges + "/" + sid).text("status")).isEqualTo("pending");
    }

    // Start the processor: every accepted verification gets its real outcome.
    long startAt = System.nanoTime();
    processor = Processor.start(env);
    long running = System.nanoTime();
    List<Answer> accepted = new ArrayList<>();
    for (Future<Answer> f : fired) {
      Answer a = f.get(60, TimeUnit.SECONDS);
      if (!refused.containsKey(a.key())) {
        accepted.add(a);
      }
    }
    long drained = System.nanoTime();
    assertThat(accepted).hasSize(CAP);
    for (Answer a : accepted) {
      assertThat(a.reply().status()).as(String.valueOf(a.reply().json())).isEqualTo(200);
      assertThat(a.reply().text("status")).isEqualTo("approved");
      assertThat(api.get(challenges + "/" + a.key()).text("status")).isEqualTo("approved");
    }
    assertThat(service.domain().waitingVerifications().waiting()).isZero();

    System.out.printf(
        "LoadSheddingIT: cap %d, fired %d at once: %d refused 503/20503 with Retry-After"
            + " (refusal latency p50 %d ms, max %d ms, the last refused %d ms after firing);"
            + " %d GETs of other resources while %d waited: p50 %.2f ms, p99 %.2f ms, max %.2f ms;"
            + " processor RUNNING %d ms after its start, all %d accepted answered approved"
            + " %d ms after that (%d ms after firing)%n",
        CAP,
        FIRED,
        refused.size(),
        refusal[refusal.length / 2],
        refusal[refusal.length - 1],
        TimeUnit.NANOSECONDS.toMillis(allRefused - firedAt),
        GETS,
        CAP,
        gets[GETS / 2] / 1000.0,
        gets[(int) Math.ceil(GETS * 0.99) - 1] / 1000.0,
        gets[GETS - 1] / 1000.0,
        TimeUnit.NANOSECONDS.toMillis(running - startAt),
        accepted.size(),
        TimeUnit.NANOSECONDS.toMillis(drained - running),
        TimeUnit.NANOSECONDS.toMillis(drained - firedAt));
    assertThat(refusal[refusal.length - 1]).as("slowest refusal, ms").isLessThan(5_000);
    assertThat(gets[GETS - 1] / 1000).as("slowest GET while saturated, ms").isLessThan(2_000);
  }

  /**
   * Writes wait for the entity task as verifications wait for the processor, under the same cap:
   * with the task paused, twice the cap of challenge creates fired at once: the cap of them wait
   * (no request thread held), the rest are answered 503 / 20503 with {@code Retry-After: 1} at once
   * and produce nothing; GETs stay fast; once the task resumes every accepted create is answered
   * 201 and readable, and the entity has exactly those challenges.
   */
  @Test
  void shouldShedCreatesBeyondTheCapAndAnswerEveryAcceptedOneOnceTheEntityTaskDecides(
      KafkaBroker broker, SchemaRegistry registry) throws Exception {
    // Long enough that an accepted create outlives the pause.
    start(broker, registry, ServiceConfig.COMMAND_TIMEOUT.name());
    HttpTestClient api = api();
    Scenario scenario = new Scenario(api, Clock.systemUTC());
    String serviceSid = scenario.service();
    String identity = Scenario.identity();
    Scenario.PushFactor factor = scenario.verifiedPush(serviceSid, identity, "none");
    String entity = Scenario.entityPath(serviceSid, identity);
    String challenges = entity + "/Challenges";
    warmUp(api, serviceSid);

    // The entity task stops deciding, as one that lags far behind would.
    service.entityTasks().pause();
    CountDownLatch go = new CountDownLatch(1);
    List<Future<Answer>> fired = new ArrayList<>();
    for (int i = 0; i < FIRED; i++) {
      String message = "Sign in " + i;
      fired.add(
          pool.submit(
              () -> {
                go.await();
                long t0 = System.nanoTime();
                Reply r =
                    api.post(challenges, "FactorSid", factor.sid(), "Details.Message", message);
                return new Answer(
                    message, r, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
              }));
    }
    go.countDown();
    long firedAt = System.nanoTime();
    await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(5))
        .until(() -> fired.stream().filter(Future::isDone).count() == FIRED - CAP);
    long allRefused = System.nanoTime();
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> service.domain().waitingWrites().waiting() == CAP);
    List<Answer> refused = new ArrayList<>();
    for (Future<Answer> f : fired) {
      if (f.isDone()) {
        refused.add(f.get());
      }
    }
    long[] refusal = refusals(refused);
    assertThat(jettyThreadsWaitingInLapseCode())
        .as("Jetty threads blocked inside Lapse while creates wait")
        .isZero();

    String[] others = {
      "/v2/Services/" + serviceSid, entity, entity + "/Factors/" + factor.sid(),
    };
    long[] gets = timedGets(api, others);
    assertThat(fired.stream().filter(Future::isDone).count())
        .as("accepted creates still waiting after the GETs")
        .isEqualTo(FIRED - CAP);
    assertThat(api.metric("lapse_requests_shed_total{for=\"write\"}")).isEqualTo(FIRED - CAP);
    assertThat(api.metric("lapse_requests_waiting{for=\"write\"}")).isEqualTo(CAP);

    long resumedAt = System.nanoTime();
    service.entityTasks().resume();
    List<Answer> accepted = new ArrayList<>();
    for (Future<Answer> f : fired) {
      Answer a = f.get(60, TimeUnit.SECONDS);
      if (!refused.contains(a)) {
        accepted.add(a);
      }
    }
    long drained = System.nanoTime();
    assertThat(accepted).hasSize(CAP);
    List<String> messages = new ArrayList<>();
    for (Answer a : accepted) {
      assertThat(a.reply().status()).as(String.valueOf(a.reply().json())).isEqualTo(201);
      String sid = a.reply().text("sid");
      Reply read = api.get(challenges + "/" + sid);
      assertThat(read.status()).isEqualTo(200);
      assertThat(read.json().path("details").path("message").asText()).isEqualTo(a.key());
      messages.add(a.key());
    }
    // A refused create produced nothing: the entity has exactly the accepted challenges.
    Reply list = api.get(challenges + "?PageSize=" + FIRED);
    assertThat(list.json().path("challenges").findValuesAsText("message"))
        .containsExactlyInAnyOrderElementsOf(messages);
    assertThat(service.domain().waitingWrites().waiting()).isZero();

    System.out.printf(
        "LoadSheddingIT: entity task paused, cap %d, %d creates fired at once: %d refused"
            + " 503/20503 with Retry-After (refusal latency p50 %d ms, max %d ms, the last"
            + " refused %d ms after firing); %d GETs while %d waited: p50 %.2f ms, p99 %.2f ms,"
            + " max %.2f ms; all %d accepted answered 201 %d ms after the task resumed%n",
        CAP,
        FIRED,
        refused.size(),
        refusal[refusal.length / 2],
        refusal[refusal.length - 1],
        TimeUnit.NANOSECONDS.toMillis(allRefused - firedAt),
        GETS,
        CAP,
        gets[GETS / 2] / 1000.0,
        gets[(int) Math.ceil(GETS * 0.99) - 1] / 1000.0,
        gets[GETS - 1] / 1000.0,
        accepted.size(),
        TimeUnit.NANOSECONDS.toMillis(drained - resumedAt));
    assertThat(refusal[refusal.length - 1]).as("slowest refusal, ms").isLessThan(5_000);
    assertThat(gets[GETS - 1] / 1000).as("slowest GET while saturated, ms").isLessThan(2_000);
  }

  /**
   * Starts the service with the cap; {@code timeout} (a setting) long enough to outlast a pause.
   */
  private Map<String, String> start(KafkaBroker broker, SchemaRegistry registry, String timeout) {
    Map<String, String> env = SystemEnv.create(broker, registry);
    env.put(ServiceConfig.MAX_WAITING_REQUESTS.name(), Integer.toString(CAP));
    env.put(timeout, "120000");
    service = ChallengeServiceApp.start(ServiceConfig.fromEnv(env));
    return env;
  }

  private HttpTestClient api() {
    return new HttpTestClient(service.baseUrl(), SystemEnv.ACCOUNT, SystemEnv.TOKEN);
  }

  /** Opens the client's connections first, so the figures are the service's, not TCP's. */
  private void warmUp(HttpTestClient api, String serviceSid) throws Exception {
    List<Future<Reply>> warm = new ArrayList<>();
    for (int i = 0; i < FIRED; i++) {
      warm.add(pool.submit(() -> api.get("/v2/Services/" + serviceSid)));
    }
    for (Future<Reply> w : warm) {
      assertThat(w.get(30, TimeUnit.SECONDS).status()).isEqualTo(200);
    }
  }

  /** Checks every refusal is the cap's (503 / 20503, Retry-After: 1); their latencies, sorted. */
  private static long[] refusals(Collection<Answer> refused) {
    for (Answer a : refused) {
      assertThat(a.reply().status()).as(String.valueOf(a.reply().json())).isEqualTo(503);
      assertThat(a.reply().json().path("code").asInt()).isEqualTo(20503);
      assertThat(a.reply().json().path("status").asInt()).isEqualTo(503);
      assertThat(a.reply().json().path("more_info").asText()).contains("20503");
      assertThat(a.reply().headers().firstValue("Retry-After")).contains("1");
    }
    return refused.stream().mapToLong(Answer::millis).sorted().toArray();
  }

  /** {@value #GETS} GETs over {@code paths}, each 200; their latencies in µs, sorted. */
  private static long[] timedGets(HttpTestClient api, String[] paths) {
    long[] gets = new long[GETS];
    for (int i = 0; i < GETS; i++) {
      long t0 = System.nanoTime();
      Reply r = api.get(paths[i % paths.length]);
      gets[i] = TimeUnit.NANOSECONDS.toMicros(System.nanoTime() - t0);
      assertThat(r.status()).as(paths[i % paths.length]).isEqualTo(200);
    }
    Arrays.sort(gets);
    return gets;
  }

  /**
   * Jetty request threads parked or blocked with a Lapse frame on their stack: a handler waiting on
   * a thread. Idle pool threads have no Lapse frame.
   */
  private static long jettyThreadsWaitingInLapseCode() {
    return Thread.getAllStackTraces().entrySet().stream()
        .filter(e -> e.getKey().getName().startsWith("JettyServerThreadPool"))
        .filter(
            e ->
                e.getKey().getState() == Thread.State.WAITING
                    || e.getKey().getState() == Thread.State.TIMED_WAITING
                    || e.getKey().getState() == Thread.State.BLOCKED)
        .filter(
            e ->
                Arrays.stream(e.getValue())
                    .anyMatch(f -> f.getClassName().startsWith("io.lapse.service")))
        .count();
  }
}

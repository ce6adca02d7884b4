package io.lapse.service.support;

import static org.awaitility.Awaitility.await;

import io.lapse.infra.KafkaBroker;
import io.lapse.infra.SchemaRegistry;
import io.lapse.service.ChallengeServiceApp;
import io.lapse.service.ServiceConfig;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.streams.KafkaStreams;

/**
 * Two challenge-service instances, A and B, on one broker: the same entity-task group (so each owns
 * some partitions), their own HTTP ports, internal listeners and state directories, both
 * entity-task clients {@code RUNNING} after B's joining rebalanced A's group. Close it last.
 */
public final class TwoInstances implements AutoCloseable {
  /** The environment both were started from (before each got its own state directory). */
  public final Map<String, String> env;

  public final ChallengeServiceApp a;
  public final ChallengeServiceApp b;
  public final HttpTestClient apiA;
  public final HttpTestClient apiB;

  /** How long A took to serve, B after it, and both to run their entity tasks after that. */
  public final long aReadyMs;

  public final long bReadyMs;
  public final long bothRunningMs;

  private TwoInstances(
      Map<String, String> env,
      ChallengeServiceApp a,
      ChallengeServiceApp b,
      long aReadyMs,
      long bReadyMs,
      long bothRunningMs) {
    this.env = env;
    this.a = a;
    this.b = b;
    this.apiA = new HttpTestClient(a.baseUrl(), SystemEnv.ACCOUNT, SystemEnv.TOKEN);
    this.apiB = new HttpTestClient(b.baseUrl(), SystemEnv.ACCOUNT, SystemEnv.TOKEN);
    this.aReadyMs = aReadyMs;
    this.bReadyMs = bReadyMs;
    this.bothRunningMs = bothRunningMs;
  }

  /** Starts A, then B, and waits (60 s at most) until both run their entity tasks. */
  public static TwoInstances start(KafkaBroker broker, SchemaRegistry registry) {
    return start(broker, registry, Map.of());
  }

  /** The same, with settings of B's own ({@code forB}) over the shared ones. */
  public static TwoInstances start(
      KafkaBroker broker, SchemaRegistry registry, Map<String, String> forB) {
    Map<String, String> env = SystemEnv.create(broker, registry);
    long t0 = System.nanoTime();
    ChallengeServiceApp a = ChallengeServiceApp.start(ServiceConfig.fromEnv(instance(env, "a")));
    ChallengeServiceApp b = null;
    try {
      long aReady = System.nanoTime();
      Map<String, String> envB = instance(env, "b");
      envB.putAll(forB);
      b = ChallengeServiceApp.start(ServiceConfig.fromEnv(envB));
      long bReady = System.nanoTime();
      ChallengeServiceApp started = b;
      // B joining makes A's group rebalance: both must be running before a test starts.
      await()
          .atMost(Duration.ofSeconds(60))
          .until(
              () ->
                  a.entityTasksState() == KafkaStreams.State.RUNNING
                      && started.entityTasksState() == KafkaStreams.State.RUNNING);
      long bothRunning = System.nanoTime();
      return new TwoInstances(
          env, a, b, ms(aReady - t0), ms(bReady - aReady), ms(bothRunning - bReady));
    } catch (RuntimeException | Error e) {
      if (b != null) {
        b.close();
      }
      a.close();
      throw e;
    }
  }

  /** {@code env} with a state directory of the instance's own. */
  public static Map<String, String> instance(Map<String, String> env, String name) {
    Map<String, String> own = new HashMap<>(env);
    own.put(
        ServiceConfig.SERVICE_STATE_DIR.name(),
        env.get(ServiceConfig.SERVICE_STATE_DIR.name()) + "-" + name);
    return own;
  }

  @Override
  public void close() {
    try {
      b.close();
    } finally {
      a.close();
    }
  }

  private static long ms(long nanos) {
    return TimeUnit.NANOSECONDS.toMillis(nanos);
  }
}

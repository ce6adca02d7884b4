package io.lapse.service.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.lapse.infra.KafkaBroker;
import io.lapse.infra.SchemaRegistry;
import io.lapse.service.support.HttpTestClient;
import io.lapse.service.support.LapseSystem;
import io.lapse.service.support.Scenario;
import io.lapse.testkit.LapseIntegration;
import java.time.Clock;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Prints HTTP latency of challenge create and verify (p50/p99/max) over a few thousand sequential
 * requests on loopback against the running system; measures, asserts nothing about speed. Opt-in:
 * {@code ./mvnw -pl challenge-service verify -Dlapse.bench=true -Dit.test=HttpLatencyBenchmarkIT}
 * ({@code -Dlapse.bench.n=…} sets the request count, default 2000).
 */
@LapseIntegration
@EnabledIfSystemProperty(named = "lapse.bench", matches = "true")
class HttpLatencyBenchmarkIT {
  @Test
  void printCreateAndVerifyLatency(KafkaBroker broker, SchemaRegistry registry) throws Exception {
    int n = Integer.getInteger("lapse.bench.n", 2000);
    int warmup = Math.max(100, n / 10);
    try (LapseSystem system = new LapseSystem(broker, registry)) {
      HttpTestClient api = system.http();
      Scenario scenario = new Scenario(api, Clock.systemUTC());
      String service = scenario.service();
      String identity = Scenario.identity();
      Scenario.TotpFactor totp = scenario.verifiedTotp(service, identity);
      String challenges = Scenario.entityPath(service, identity) + "/Challenges";

      long[] create = new long[n];
      long[] verify = new long[n];
      for (int i = -warmup; i < n; i++) {
        long t0 = System.nanoTime();
        HttpTestClient.Reply c = api.post(challenges, "FactorSid", totp.sid());
        long t1 = System.nanoTime();
        HttpTestClient.Reply v =
            api.post(challenges + "/" + c.text("sid"), "AuthPayload", totp.codeNow());
        long t2 = System.nanoTime();
        assertThat(c.status()).isEqualTo(201);
        assertThat(v.status()).as(String.valueOf(v.json())).isEqualTo(200);
        if (i >= 0) {
          create[i] = t1 - t0;
          verify[i] = t2 - t1;
        }
      }
      System.out.println(
          "HTTP latency on loopback, "
              + n
              + " sequential requests each (after "
              + warmup
              + " warm-up):");
      System.out.println("  create " + summary(create));
      System.out.println("  verify " + summary(verify));
    }
  }

  private static String summary(long[] nanos) {
    long[] s = nanos.clone();
    Arrays.sort(s);
    return String.format(
        "p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, max %.2f ms",
        s[s.length / 2] / 1e6,
        s[(int) (s.length * 0.90)] / 1e6,
        s[(int) (s.length * 0.99)] / 1e6,
        s[s.length - 1] / 1e6);
  }
}

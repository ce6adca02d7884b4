package io.lapse.service.support;

import io.lapse.contract.AttemptMacKeys;
import io.lapse.service.api.HttpApi;
import io.lapse.service.crypto.SecretCipher;
import io.lapse.service.domain.AttemptSigner;
import io.lapse.service.domain.Catalog;
import io.lapse.service.domain.CatchUp;
import io.lapse.service.domain.ChallengeStore;
import io.lapse.service.domain.ChallengeView;
import io.lapse.service.domain.Domain;
import io.lapse.service.domain.FactorCrypto;
import io.lapse.service.domain.MissedReads;
import io.lapse.service.domain.WaitingLimit;
import io.lapse.service.domain.Webhooks;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The real HTTP API and domain on 127.0.0.1 (ephemeral port), with the Kafka side replaced by
 * in-memory test doubles ({@link InMemoryLogs}, {@link FakeDecider}, {@link InMemoryCommandBus})
 * and a hand-moved clock.
 */
public final class ApiFixture extends HttpTestClient implements AutoCloseable {
  public static final String ACCOUNT_SID = "AC" + "0".repeat(31) + "1";
  public static final String AUTH_TOKEN = "test-token-0123456789abcdef012345";

  public final MutableClock clock;
  public final InMemoryLogs logs;
  public final ChallengeView view;
  public final FakeDecider decider;
  public final InMemoryCommandBus commands;
  public final Domain domain;

  /** The keys the service signs attempts with, and the decider checks them with. */
  public final AttemptMacKeys macKeys;

  private final HttpApi api;

  /** Where answers that waited are written; shared by every fixture of the test JVM. */
  private static final ExecutorService ANSWERS =
      Executors.newCachedThreadPool(
          r -> {
            Thread t = new Thread(r, "fixture-answers");
            t.setDaemon(true);
            return t;
          });

  /** The parts that exist before the HTTP client, which needs the bound port. */
  private record Parts(
      MutableClock clock,
      InMemoryLogs logs,
      ChallengeView view,
      FakeDecider decider,
      InMemoryCommandBus commands,
      Domain domain,
      AttemptMacKeys macKeys,
      HttpApi api) {
    static Parts start() {
      MutableClock clock = new MutableClock(Instant.parse("2026-05-01T12:00:00.250Z"));
      InMemoryLogs logs = new InMemoryLogs();
      ChallengeView view = new ChallengeView(clock);
      AttemptMacKeys macKeys = TestMacKeys.newKeys();
      FakeDecider decider = new FakeDecider(logs, clock, macKeys);
      Catalog catalog = new Catalog();
      InMemoryCommandBus commands = new InMemoryCommandBus(logs, catalog, clock, decider, macKeys);
      byte[] key = new byte[32];
      new SecureRandom().nextBytes(key);
      Domain domain =
          Domain.wire(
              ACCOUNT_SID,
              catalog,
              view,
              decider,
              new FactorCrypto(new SecretCipher(key)),
              clock,
              Duration.ofSeconds(1),
              commands,
              Duration.ofSeconds(1),
              new AttemptSigner(AttemptSigner.attemptIdKeyFrom(key), macKeys),
              key,
              new WaitingLimit("verifications", 1000),
              new MissedReads(CatchUp.NONE, new WaitingLimit("reads catching up", 1000), ANSWERS),
              logs,
              Webhooks.newTable(),
              ChallengeStore.NONE);
      HttpApi api =
          HttpApi.create(
                  domain,
                  new HttpApi.Settings(ACCOUNT_SID, AUTH_TOKEN, null, clock),
                  new PrometheusMeterRegistry(PrometheusConfig.DEFAULT),
                  () -> true)
              .start("127.0.0.1", 0);
      return new Parts(clock, logs, view, decider, commands, domain, macKeys, api);
    }
  }

  public ApiFixture() {
    this(Parts.start());
  }

  private ApiFixture(Parts p) {
    super("http://127.0.0.1:" + p.api().port(), ACCOUNT_SID, AUTH_TOKEN);
    this.clock = p.clock();
    this.logs = p.logs();
    this.view = p.view();
    this.decider = p.decider();
    this.commands = p.commands();
    this.domain = p.domain();
    this.macKeys = p.macKeys();
    this.api = p.api();
  }

  @Override
  public void close() {
    api.stop();
  }
}

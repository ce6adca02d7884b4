package io.lapse.service.routing;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.javalin.Javalin;
import io.javalin.http.Handler;
import io.lapse.service.domain.ApiError;
import io.lapse.service.domain.WaitingLimit;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Two real Javalin servers on loopback: a receiver with the forwarding router and an owner with the
 * internal gate and the owner-only router; which instance owns the entity is what each side's
 * lookup says.
 */
class OwnerRouterTest {
  private static final String PATH = "/v2/Services/{serviceSid}/Entities/{identity}";
  private static final String TARGET = "/v2/Services/VA1/Entities/alice-0001?Extra=1";
  private static final byte[] KEY = "c".repeat(32).getBytes(UTF_8);

  // The owner's address is its port, known once it is started.
  private final InternalAuth auth =
      new InternalAuth(KEY, Clock.systemUTC(), () -> this.owner == null ? null : ownerAddress());
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
  private final MeterRegistry metrics = new SimpleMeterRegistry();
  private final HttpClient client = HttpClient.newHttpClient();
  private final AtomicInteger ownerCalls = new AtomicInteger();
  private final AtomicInteger ownerHandled = new AtomicInteger();
  private final AtomicInteger receiverHandled = new AtomicInteger();
  private Javalin owner;
  private Javalin receiver;

  @AfterEach
  void stop() {
    if (receiver != null) {
      receiver.stop();
    }
    if (owner != null) {
      owner.stop();
    }
    timer.shutdownNow();
  }

  @Test
  void shouldHandleLocallyWhenOwner() throws Exception {
    startOwner(key -> Owner.LOCAL, echo(ownerHandled));
    startReceiver(key -> Owner.LOCAL, 10);

    HttpResponse<String> r = send("GET", "");

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("Served").orElseThrow()).isEqualTo("here");
    assertThat(receiverHandled).hasValue(1);
    assertThat(ownerCalls).hasValue(0);
    assertThat(metrics.find("lapse.forwards").counters()).isEmpty();
  }

  @Test
  void shouldForwardToTheOwnerAndAnswerWithItsAnswerVerbatim() throws Exception {
    startOwner(key -> Owner.LOCAL, echo(ownerHandled));
    startReceiver(key -> new Owner.Remote("127.0.0.1:" + owner.port()), 10);

    HttpResponse<String> r = send("POST", "Identity=alice-0001");

    assertThat(r.statusCode()).isEqualTo(201);
    assertThat(r.headers().firstValue("Served").orElseThrow()).isEqualTo("owner");
    assertThat(r.headers().firstValue("Echo-Idempotency-Key").orElseThrow()).isEqualTo("idem-1");
    assertThat(r.headers().allValues("Multi")).containsExactly("one", "two");
    assertThat(r.body()).isEqualTo("POST " + TARGET + " Basic abc Identity=alice-0001");
    assertThat(ownerHandled).hasValue(1);
    assertThat(receiverHandled).hasValue(0);
    assertThat(count("answered")).isEqualTo(1);
  }

  @Test
  void shouldNeverForwardTwice() throws Exception {
    // The two disagree: the owner's metadata says the receiver owns the entity. The owner never
    // forwards a forwarded request; it answers 421, the receiver asks again once, then gives up.
    startOwner(key -> new Owner.Remote("127.0.0.1:1"), echo(ownerHandled));
    startReceiver(key -> new Owner.Remote("127.0.0.1:" + owner.port()), 10);

    HttpResponse<String> r = send("GET", "");

    assertThat(r.statusCode()).isEqualTo(503);
    assertThat(r.headers().firstValue("Retry-After")).hasValue("1");
    assertThat(ownerCalls).hasValue(2);
    assertThat(ownerHandled).hasValue(0);
    assertThat(receiverHandled).hasValue(0);
    assertThat(count("retried")).isEqualTo(1);
    assertThat(count("unavailable")).isEqualTo(1);
  }

  @Test
  void shouldAnswer421WhenAForwardReachesANonOwner() throws Exception {
    startOwner(key -> new Owner.Remote("127.0.0.1:1"), echo(ownerHandled));
    HttpResponse<String> r =
        client.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + owner.port() + TARGET))
                .header(
                    InternalAuth.HEADER,
                    auth.sign("lapse-test", ownerAddress(), "GET", TARGET, new byte[0]))
                .GET()
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(421);
    assertThat(r.headers().firstValue(OwnerRouter.NOT_OWNER)).isPresent();
    assertThat(ownerHandled).hasValue(0);
  }

  @Test
  void shouldWaitForAnOwnerWithoutAThreadThenForward() throws Exception {
    startOwner(key -> Owner.LOCAL, echo(ownerHandled));
    AtomicInteger asked = new AtomicInteger();
    startReceiver(
        key ->
            asked.incrementAndGet() < 4
                ? Owner.UNKNOWN
                : new Owner.Remote("127.0.0.1:" + owner.port()),
        10);

    HttpResponse<String> r = send("GET", "");

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("Served")).hasValue("owner");
    assertThat(asked).hasValue(4);
    var waited = metrics.find("lapse.route.wait").timer();
    assertThat(waited).isNotNull();
    assertThat(waited.count()).isEqualTo(1);
    assertThat(waited.totalTime(TimeUnit.MILLISECONDS)).isGreaterThanOrEqualTo(100);
  }

  @Test
  void shouldAnswer503WithRetryAfterWhenNobodyOwnsTheEntityWithinTheRouteWait() throws Exception {
    startOwner(key -> Owner.LOCAL, echo(ownerHandled));
    startReceiver(key -> Owner.UNKNOWN, 10);

    long t0 = System.nanoTime();
    HttpResponse<String> r = send("GET", "");
    long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);

    assertThat(r.statusCode()).isEqualTo(503);
    assertThat(r.headers().firstValue("Retry-After")).hasValue("1");
    assertThat(ms).isBetween(200L, 5_000L);
    assertThat(ownerCalls).hasValue(0);
  }

  @Test
  void shouldShedForwardsBeyondTheCap() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    CountDownLatch arrived = new CountDownLatch(1);
    startOwner(
        key -> Owner.LOCAL,
        ctx -> {
          arrived.countDown();
          release.await(10, TimeUnit.SECONDS);
          ctx.status(200).result("late");
        });
    startReceiver(key -> new Owner.Remote("127.0.0.1:" + owner.port()), 1);

    CompletableFuture<HttpResponse<String>> first = sendAsync("GET", "");
    assertThat(arrived.await(10, TimeUnit.SECONDS)).isTrue();
    HttpResponse<String> second = send("GET", "");
    release.countDown();

    assertThat(second.statusCode()).isEqualTo(503);
    assertThat(second.headers().firstValue("Retry-After")).hasValue("1");
    assertThat(first.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
    assertThat(count("shed")).isEqualTo(1);
  }

  private Handler echo(AtomicInteger handled) {
    return ctx -> {
      handled.incrementAndGet();
      ctx.res().addHeader("Multi", "one");
      ctx.res().addHeader("Multi", "two");
      ctx.header("Served", "owner");
      ctx.header("Echo-Idempotency-Key", String.valueOf(ctx.header("Idempotency-Key")));
      ctx.status(ctx.method().name().equals("POST") ? 201 : 200)
          .result(
              ctx.method().name()
                  + " "
                  + ctx.req().getRequestURI()
                  + "?"
                  + ctx.queryString()
                  + " "
                  + ctx.header("Authorization")
                  + " "
                  + ctx.body());
    };
  }

  private String ownerAddress() {
    return "127.0.0.1:" + owner.port();
  }

  private void startOwner(Owner.Lookup lookup, Handler handler) {
    owner = Javalin.create(c -> c.showJavalinBanner = false);
    owner.before(
        ctx -> {
          ownerCalls.incrementAndGet();
          auth.verify(
              ctx.header(InternalAuth.HEADER),
              ctx.method().name(),
              Forwarder.Request.of(ctx).target(),
              ctx.bodyAsBytes());
        });
    Handler routed =
        OwnerRouter.ownerOnly(lookup).route(ctx -> Optional.of("VA1/alice-0001"), handler);
    owner.get(PATH, routed);
    owner.post(PATH, routed);
    mapErrors(owner);
    owner.start("127.0.0.1", 0);
  }

  private void startReceiver(Owner.Lookup lookup, int maxForwards) {
    receiver = Javalin.create(c -> c.showJavalinBanner = false);
    OwnerRouter router =
        OwnerRouter.forwarding(
            lookup,
            new OwnerRouter.Forwarding(
                new Forwarder(
                    auth, "lapse-test", Duration.ofSeconds(10), Executors.newCachedThreadPool()),
                new WaitingLimit("forwards", maxForwards),
                Duration.ofMillis(200),
                "127.0.0.1:1",
                timer,
                metrics));
    Handler local =
        ctx -> {
          receiverHandled.incrementAndGet();
          ctx.header("Served", "here").result("local");
        };
    Handler routed = router.route(ctx -> Optional.of("VA1/alice-0001"), local);
    receiver.get(PATH, routed);
    receiver.post(PATH, routed);
    mapErrors(receiver);
    receiver.start("127.0.0.1", 0);
  }

  private static void mapErrors(Javalin app) {
    app.exception(
        ApiError.class,
        (e, ctx) -> {
          if (e.retryAfterSeconds() > 0) {
            ctx.header("Retry-After", Integer.toString(e.retryAfterSeconds()));
          }
          ctx.status(e.status()).result(e.getMessage());
        });
  }

  private HttpResponse<String> send(String method, String body) throws Exception {
    return sendAsync(method, body).get(20, TimeUnit.SECONDS);
  }

  private CompletableFuture<HttpResponse<String>> sendAsync(String method, String body) {
    return client.sendAsync(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + receiver.port() + TARGET))
            .header("Authorization", "Basic abc")
            .header("Idempotency-Key", "idem-1")
            .header("Content-Type", "application/x-www-form-urlencoded")
            .header("X-Not-Forwarded", "secret-ish")
            .method(method, HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private double count(String result) {
    var c = metrics.find("lapse.forwards").tag("result", result).counter();
    return c == null ? 0 : c.count();
  }
}

package io.lapse.service.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import com.twilio.security.RequestValidator;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** One attempt against a local endpoint: what it sends, and how each answer is classified. */
class WebhookSenderTest {
  private static final String TOKEN = "a-token-of-32-characters-0123456";

  private final HttpServer server;
  private final List<String> followed = new CopyOnWriteArrayList<>();
  private final CountDownLatch slowRelease = new CountDownLatch(1);
  private final CountDownLatch slowEntered = new CountDownLatch(1);
  private final Map<String, String> seen = new java.util.concurrent.ConcurrentHashMap<>();

  /** Generous, so a loaded machine never makes an answered attempt a timeout. */
  private final WebhookSender sender =
      new WebhookSender(new TwilioSignature(TOKEN), Duration.ofSeconds(20));

  WebhookSenderTest() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.setExecutor(Executors.newCachedThreadPool());
    server.createContext(
        "/ok",
        ex -> {
          try (ex) {
            seen.put(
                "body", new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            seen.put("signature", ex.getRequestHeaders().getFirst("X-Twilio-Signature"));
            seen.put("token", ex.getRequestHeaders().getFirst("I-Twilio-Idempotency-Token"));
            seen.put("type", ex.getRequestHeaders().getFirst("Content-Type"));
            ex.sendResponseHeaders(204, -1);
          }
        });
    server.createContext(
        "/redirect",
        ex -> {
          try (ex) {
            ex.getResponseHeaders().add("Location", url("/elsewhere"));
            ex.sendResponseHeaders(302, -1);
          }
        });
    server.createContext(
        "/elsewhere",
        ex -> {
          try (ex) {
            followed.add(ex.getRequestURI().toString());
            ex.sendResponseHeaders(200, -1);
          }
        });
    server.createContext("/missing", ex -> answer(ex, 404));
    server.createContext("/unavailable", ex -> answer(ex, 503));
    server.createContext("/throttled", ex -> answer(ex, 429));
    server.createContext(
        "/slow",
        ex -> {
          try (ex) {
            slowEntered.countDown();
            slowRelease.await(10, TimeUnit.SECONDS);
            ex.sendResponseHeaders(200, -1);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        });
    server.start();
  }

  private static void answer(com.sun.net.httpserver.HttpExchange ex, int status)
      throws IOException {
    try (ex) {
      ex.sendResponseHeaders(status, -1);
    }
  }

  private String url(String path) {
    return "http://127.0.0.1:" + server.getAddress().getPort() + path;
  }

  @AfterEach
  void stop() {
    slowRelease.countDown();
    server.stop(0);
  }

  private WebhookSender.Outcome outcome(String url) throws InterruptedException {
    return sender.send(url, Map.of("type", "factor.created"), "YW1-uuid").outcome();
  }

  @Test
  void shouldPostTheFormSignedWithTheIdempotencyToken() throws Exception {
    Map<String, String> params = new LinkedHashMap<>();
    params.put("uuid", "u-1");
    params.put("type", "challenge.denied");
    params.put("challenge_details", "{\"message\":\"Log in?\"}");

    WebhookSender.Result r = sender.send(url("/ok?x=1"), params, "YW1-u-1");

    assertThat(r.outcome()).isEqualTo(WebhookSender.Outcome.DELIVERED);
    assertThat(seen.get("type")).startsWith("application/x-www-form-urlencoded");
    assertThat(seen.get("token")).isEqualTo("YW1-u-1");
    assertThat(seen.get("body")).isEqualTo(WebhookSender.form(params));
    assertThat(new RequestValidator(TOKEN).validate(url("/ok?x=1"), params, seen.get("signature")))
        .isTrue();
  }

  @Test
  void shouldNeverFollowARedirect() throws Exception {
    WebhookSender.Result r = sender.send(url("/redirect"), Map.of("type", "x"), "t");

    assertThat(r.outcome()).isEqualTo(WebhookSender.Outcome.GIVE_UP);
    assertThat(r.reason()).contains("302").contains("/elsewhere");
    assertThat(followed).isEmpty();
  }

  @Test
  void shouldRetryServerErrorsThrottlingRefusedConnectionsAndTimeoutsButNotOtherClientErrors()
      throws Exception {
    int closedPort;
    try (ServerSocket s = new ServerSocket(0)) {
      closedPort = s.getLocalPort();
    }

    assertThat(outcome(url("/unavailable"))).isEqualTo(WebhookSender.Outcome.RETRY);
    assertThat(outcome(url("/throttled"))).isEqualTo(WebhookSender.Outcome.RETRY);
    assertThat(outcome("http://127.0.0.1:" + closedPort + "/x"))
        .isEqualTo(WebhookSender.Outcome.RETRY);
    WebhookSender impatient = new WebhookSender(new TwilioSignature(TOKEN), Duration.ofMillis(300));
    long start = System.nanoTime();
    WebhookSender.Result slow = impatient.send(url("/slow"), Map.of("type", "x"), "t");
    assertThat(slow.outcome()).isEqualTo(WebhookSender.Outcome.RETRY);
    assertThat(slow.reason()).contains("no answer within 300 ms");
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
    assertThat(outcome(url("/missing"))).isEqualTo(WebhookSender.Outcome.GIVE_UP);
  }

  @Test
  void shouldReportAnAbortedAttemptAsInterruptedNeverAsTheEndpointsAnswer() throws Exception {
    java.util.concurrent.CompletableFuture<Object> attempt =
        java.util.concurrent.CompletableFuture.supplyAsync(
            () -> {
              try {
                return sender.send(url("/slow"), Map.of("type", "x"), "t");
              } catch (InterruptedException e) {
                return e;
              }
            });
    // Abort once the endpoint holds the request, as a crash cuts off a delivery in flight.
    assertThat(slowEntered.await(10, TimeUnit.SECONDS)).isTrue();
    sender.abort();
    org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(attempt::isDone);
    slowRelease.countDown();

    // A GIVE_UP or RETRY here would be dead-lettered or retried by a stopping dispatcher.
    assertThat(attempt.get()).isInstanceOf(InterruptedException.class);
  }
}

package io.lapse.service.support;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.twilio.security.RequestValidator;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;

/**
 * A customer's webhook endpoint on 127.0.0.1 (the JDK's HTTP server): records every request, checks
 * its {@code X-Twilio-Signature} with Twilio's own {@link RequestValidator}, and answers as each
 * path is told to. One thread per request, so a request held back does not hold the others.
 */
public final class WebhookReceiver implements AutoCloseable {
  /** One request as received. */
  public record Received(
      String path, Map<String, String> params, String token, boolean signatureValid, int answered) {
    public String type() {
      return params.get("type");
    }

    public String uuid() {
      return params.get("uuid");
    }
  }

  private final HttpServer server;
  private final ExecutorService threads = Executors.newCachedThreadPool();
  private final RequestValidator validator;
  private final List<Received> received = new CopyOnWriteArrayList<>();
  private final Map<String, BiFunction<String, Integer, Integer>> answers =
      new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> perEvent = new ConcurrentHashMap<>();
  private final CountDownLatch holding = new CountDownLatch(1);
  private final CountDownLatch release = new CountDownLatch(1);
  private volatile int holdAt = -1;
  private final AtomicInteger holdCount = new AtomicInteger();

  public WebhookReceiver(String authToken) {
    this.validator = new RequestValidator(authToken);
    try {
      server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    server.setExecutor(threads);
    server.createContext("/", this::handle);
    server.start();
  }

  /**
   * How {@code path} answers: a function of the event's uuid and how many times this path got that
   * event before (0 for the first) to a status. Unknown paths answer 200.
   */
  public WebhookReceiver answer(String path, BiFunction<String, Integer, Integer> status) {
    answers.put(path, status);
    return this;
  }

  /** Holds the {@code n}th request (1-based) to {@code /hold} until {@link #release()}. */
  public void holdRequest(int n) {
    holdAt = n;
  }

  /** Waits until a request is being held. */
  public boolean awaitHolding(long seconds) throws InterruptedException {
    return holding.await(seconds, TimeUnit.SECONDS);
  }

  public void release() {
    release.countDown();
  }

  public String url(String path) {
    return "http://127.0.0.1:" + server.getAddress().getPort() + path;
  }

  public List<Received> received() {
    return List.copyOf(received);
  }

  public List<Received> received(String path) {
    return received.stream().filter(r -> r.path().equals(path)).toList();
  }

  private void handle(HttpExchange ex) throws IOException {
    try (ex) {
      String path = ex.getRequestURI().getPath();
      Map<String, String> params = form(ex.getRequestBody());
      String url = url(ex.getRequestURI().toString());
      String signature = ex.getRequestHeaders().getFirst("X-Twilio-Signature");
      boolean valid =
          signature != null
              && "POST".equals(ex.getRequestMethod())
              && validator.validate(url, params, signature);
      String token = ex.getRequestHeaders().getFirst("I-Twilio-Idempotency-Token");
      String uuid = params.getOrDefault("uuid", "");
      int before =
          perEvent.computeIfAbsent(path + " " + uuid, k -> new AtomicInteger()).getAndIncrement();
      int status = answers.getOrDefault(path, (u, n) -> 200).apply(uuid, before);
      if (path.equals("/hold") && holdCount.incrementAndGet() == holdAt) {
        // Recorded as not answered: whoever sent it is gone by the time it would be.
        received.add(new Received(path, params, token, valid, -1));
        holding.countDown();
        try {
          release.await(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        ex.sendResponseHeaders(200, -1);
        return;
      }
      received.add(new Received(path, params, token, valid, status));
      ex.sendResponseHeaders(status, -1);
    }
  }

  private static Map<String, String> form(InputStream body) throws IOException {
    String text = new String(body.readAllBytes(), StandardCharsets.UTF_8);
    Map<String, String> params = new LinkedHashMap<>();
    for (String pair : text.isEmpty() ? new String[0] : text.split("&")) {
      int eq = pair.indexOf('=');
      params.put(
          URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
          URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
    }
    return params;
  }

  /** Every request's events in arrival order, for messages. */
  public List<String> summary() {
    List<String> out = new ArrayList<>();
    received.forEach(r -> out.add(r.path() + " " + r.type() + " " + r.answered()));
    return out;
  }

  @Override
  public void close() {
    release.countDown();
    server.stop(0);
    threads.shutdownNow();
  }
}

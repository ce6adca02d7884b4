package io.lapse.service.routing;

import io.javalin.http.Context;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * Sends a request on to the owner's internal listener, signed ({@link InternalAuth}), and gives
 * back its answer verbatim: the JDK client, asynchronous (no thread waits for the owner),
 * keep-alive, HTTP/1.1.
 */
public final class Forwarder {
  /** Request headers that travel: what the client said and what the owner checks. */
  private static final Set<String> END_TO_END =
      Set.of("authorization", "content-type", "accept", "idempotency-key", "user-agent");

  /** Prefixes of the headers Twilio's SDKs add (client, idempotency token, webhook flags). */
  private static final List<String> SDK_PREFIXES = List.of("x-twilio-", "i-twilio-", "twilio-");

  /** Answer headers that describe the hop, not the answer; the receiving server sets its own. */
  private static final Set<String> HOP_BY_HOP =
      Set.of(
          "connection",
          "keep-alive",
          "transfer-encoding",
          "content-length",
          "content-encoding",
          "server",
          "upgrade");

  /** One request to forward: method, raw path?query as received, end-to-end headers, body. */
  public record Request(
      String method, String target, Map<String, List<String>> headers, byte[] body) {
    /** The request in {@code ctx}, with only its end-to-end headers. */
    public static Request of(Context ctx) {
      String query = ctx.queryString();
      String target = ctx.req().getRequestURI() + (query == null ? "" : "?" + query);
      Map<String, List<String>> headers = new java.util.LinkedHashMap<>();
      for (String name : Collections.list(ctx.req().getHeaderNames())) {
        if (travels(name)) {
          headers.put(name, Collections.list(ctx.req().getHeaders(name)));
        }
      }
      return new Request(ctx.method().name(), target, headers, ctx.bodyAsBytes());
    }
  }

  /** The owner's answer. */
  public record Answer(int status, Map<String, List<String>> headers, byte[] body) {
    /** A {@code 421} saying the receiver does not own the entity (any more). */
    public boolean notOwner() {
      return status == 421
          && headers.keySet().stream().anyMatch(OwnerRouter.NOT_OWNER::equalsIgnoreCase);
    }

    /** The headers to copy into the client's answer. */
    public Map<String, List<String>> endToEndHeaders() {
      Map<String, List<String>> out = new java.util.LinkedHashMap<>();
      headers.forEach(
          (name, values) -> {
            String n = name.toLowerCase(Locale.ROOT);
            if (!HOP_BY_HOP.contains(n) && !n.startsWith(":")) {
              out.put(name, new ArrayList<>(values));
            }
          });
      return out;
    }
  }

  private final HttpClient client;
  private final InternalAuth auth;
  private final String instanceId;
  private final Duration timeout;

  /**
   * @param timeout bound of one forward, the owner's own waits included
   * @param executor where the client completes its futures
   */
  public Forwarder(InternalAuth auth, String instanceId, Duration timeout, Executor executor) {
    this.client =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2))
            .followRedirects(HttpClient.Redirect.NEVER)
            .executor(executor)
            .build();
    this.auth = auth;
    this.instanceId = instanceId;
    this.timeout = timeout;
  }

  /**
   * Sends {@code request} to {@code address} ({@code host:port} of an internal listener).
   *
   * @return the answer; fails when the owner cannot be reached or does not answer in time
   */
  public CompletableFuture<Answer> send(String address, Request request) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create("http://" + address + request.target()))
            .timeout(timeout)
            .method(
                request.method(),
                request.body().length == 0
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofByteArray(request.body()));
    request.headers().forEach((name, values) -> values.forEach(v -> b.header(name, v)));
    b.header(
        InternalAuth.HEADER,
        auth.sign(instanceId, address, request.method(), request.target(), request.body()));
    return client
        .sendAsync(b.build(), HttpResponse.BodyHandlers.ofByteArray())
        .thenApply(r -> new Answer(r.statusCode(), r.headers().map(), r.body()));
  }

  /** Whether the JDK client can send this request's target (Jetty accepts more than it). */
  public static boolean canCarry(Request request) {
    try {
      URI.create("http://127.0.0.1" + request.target());
      return true;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  private static boolean travels(String name) {
    String n = name.toLowerCase(Locale.ROOT);
    return END_TO_END.contains(n) || SDK_PREFIXES.stream().anyMatch(n::startsWith);
  }
}

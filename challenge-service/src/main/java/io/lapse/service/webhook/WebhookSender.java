package io.lapse.service.webhook;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.StringJoiner;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Makes one delivery attempt: a form-encoded POST of the event's parameters to the webhook's URL,
 * signed ({@link TwilioSignature}) and carrying its idempotency token. Redirects are never followed
 * (a webhook calls the URL it names, never a host a response points to); the whole exchange, body
 * included, is bounded by one timeout.
 */
public final class WebhookSender {
  /** Twilio's header; the same value on every attempt and redelivery of an event to a webhook. */
  public static final String IDEMPOTENCY_HEADER = "I-Twilio-Idempotency-Token";

  static final String USER_AGENT = "TwilioProxy/1.1 (Lapse)";

  /** What an attempt came to. */
  public enum Outcome {
    /** A 2xx answer. */
    DELIVERED,
    /** Worth another try: 5xx, 408, 429, no connection, timeout. */
    RETRY,
    /** Another try would get the same answer: 3xx (not followed), other 4xx, a bad URL. */
    GIVE_UP
  }

  /** An attempt's outcome and, unless delivered, why. */
  public record Result(Outcome outcome, String reason) {}

  private final HttpClient client;
  private final TwilioSignature signature;
  private final Duration timeout;
  private volatile CompletableFuture<?> inFlight;

  public WebhookSender(TwilioSignature signature, Duration timeout) {
    this.signature = signature;
    this.timeout = timeout;
    this.client =
        HttpClient.newBuilder()
            .followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(timeout)
            .version(HttpClient.Version.HTTP_1_1)
            .build();
  }

  /**
   * One attempt.
   *
   * @throws InterruptedException if the thread is interrupted or the attempt {@link #abort}ed (the
   *     dispatcher is stopping); the attempt counts as not made
   */
  public Result send(String url, Map<String, String> params, String idempotencyToken)
      throws InterruptedException {
    HttpRequest request;
    try {
      request =
          HttpRequest.newBuilder(URI.create(url))
              .timeout(timeout)
              .header("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
              .header("User-Agent", USER_AGENT)
              .header(TwilioSignature.HEADER, signature.sign(url, params))
              .header(IDEMPOTENCY_HEADER, idempotencyToken)
              .POST(HttpRequest.BodyPublishers.ofString(form(params)))
              .build();
    } catch (IllegalArgumentException e) {
      return new Result(Outcome.GIVE_UP, "invalid URL: " + e.getMessage());
    }
    CompletableFuture<HttpResponse<Void>> exchange =
        client.sendAsync(request, HttpResponse.BodyHandlers.discarding());
    inFlight = exchange;
    try {
      return classify(exchange.get(timeout.toMillis(), TimeUnit.MILLISECONDS));
    } catch (TimeoutException e) {
      exchange.cancel(true);
      return new Result(Outcome.RETRY, "no answer within " + timeout.toMillis() + " ms");
    } catch (InterruptedException e) {
      exchange.cancel(true);
      throw e;
    } catch (CancellationException e) {
      throw new InterruptedException("attempt aborted");
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof CancellationException) {
        // The JDK client fails a cancelled exchange with its own CancellationException as the
        // cause: an abort, never the endpoint's answer. Classified as GIVE_UP it was
        // dead-lettered and committed by a crashing dispatcher, and the event was lost.
        throw new InterruptedException("attempt aborted");
      }
      if (cause instanceof IOException) {
        return new Result(
            Outcome.RETRY, cause.getClass().getSimpleName() + ": " + cause.getMessage());
      }
      return new Result(Outcome.GIVE_UP, String.valueOf(cause));
    } finally {
      inFlight = null;
    }
  }

  /**
   * Cuts off the attempt in flight, if any (its caller gets an {@link InterruptedException}); a
   * stopping dispatcher uses it rather than interrupting its thread, which would also interrupt its
   * Kafka consumer's closing.
   */
  public void abort() {
    CompletableFuture<?> f = inFlight;
    if (f != null) {
      f.cancel(true);
    }
  }

  static Result classify(HttpResponse<?> response) {
    int status = response.statusCode();
    if (status >= 200 && status < 300) {
      return new Result(Outcome.DELIVERED, null);
    }
    if (status >= 500 || status == 408 || status == 429) {
      return new Result(Outcome.RETRY, "HTTP " + status);
    }
    if (status >= 300 && status < 400) {
      return new Result(
          Outcome.GIVE_UP,
          "HTTP "
              + status
              + " redirect not followed"
              + response.headers().firstValue("Location").map(l -> " (to " + l + ")").orElse(""));
    }
    return new Result(Outcome.GIVE_UP, "HTTP " + status);
  }

  /** The form body, in the parameters' order. */
  public static String form(Map<String, String> params) {
    StringJoiner body = new StringJoiner("&");
    params.forEach(
        (name, value) ->
            body.add(
                URLEncoder.encode(name, StandardCharsets.UTF_8)
                    + "="
                    + URLEncoder.encode(value, StandardCharsets.UTF_8)));
    return body.toString();
  }
}

package io.lapse.launcher;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lapse.service.CredentialsFile;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;

/**
 * {@code ./lapse reseal}: asks the running challenge service to re-seal every TOTP seed under its
 * newest {@code LAPSE_SECRET_KEY} ({@code POST /v2/Lapse/Reseal}, the account's Basic credentials),
 * then prints its counts and whether the previous keys may now be dropped (README, "Rotating
 * LAPSE_SECRET_KEY"). A re-seal of many factors takes a while: one entity-task decision each.
 */
final class Reseal {
  private static final Duration CONNECT = Duration.ofSeconds(5);
  private static final Duration ANSWER = Duration.ofMinutes(10);
  private static final ObjectMapper JSON = new ObjectMapper();

  private Reseal() {}

  /** Returns 0 when every seed is under the newest key, 1 when some could not be re-sealed. */
  static int run(String api, CredentialsFile.Credentials credentials, PrintStream out)
      throws InterruptedException {
    String basic =
        Base64.getEncoder()
            .encodeToString(
                (credentials.accountSid() + ":" + credentials.authToken())
                    .getBytes(StandardCharsets.UTF_8));
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(api + "/v2/Lapse/Reseal"))
            .timeout(ANSWER)
            .header("Authorization", "Basic " + basic)
            .POST(HttpRequest.BodyPublishers.noBody())
            .build();
    HttpClient http = HttpClient.newBuilder().connectTimeout(CONNECT).build();
    HttpResponse<String> response;
    try {
      response = http.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw CliException.failed("cannot reach the challenge service at " + api + ": " + e, e);
    }
    JsonNode body = parse(response.body());
    if (response.statusCode() != 200 || body == null) {
      String message = body == null ? "" : body.path("message").asText("");
      throw CliException.failed(
          "the re-seal was refused: HTTP "
              + response.statusCode()
              + (message.isEmpty() ? "" : " (" + message + ")"));
    }
    int resealed = body.path("resealed").asInt();
    int current = body.path("already_current").asInt();
    int failed = body.path("failed").asInt();
    out.printf(
        "Re-sealed under key %s: %d re-sealed, %d already under it, %d failed%n",
        body.path("key_id").asText("?"), resealed, current, failed);
    if (failed > 0) {
      out.println(
          "Some seeds could not be re-sealed (the service's log names the factors): keep the"
              + " previous keys in LAPSE_SECRET_KEYS_PREVIOUS and run ./lapse reseal again.");
      return 1;
    }
    if (resealed == 0) {
      out.println(
          "Every seed is under the newest key: the previous keys can be removed from"
              + " LAPSE_SECRET_KEYS_PREVIOUS on every instance.");
    } else {
      out.println(
          "Run ./lapse reseal once more: when it re-seals nothing, the previous keys can go.");
    }
    return 0;
  }

  private static JsonNode parse(String text) {
    try {
      return JSON.readTree(text);
    } catch (IOException e) {
      return null;
    }
  }
}

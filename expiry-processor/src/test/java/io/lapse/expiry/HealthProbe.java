package io.lapse.expiry;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** Reads the processor's /health and /metrics endpoints in tests. */
final class HealthProbe {
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  private HealthProbe() {}

  static HttpResponse<String> get(int port, String path) throws IOException, InterruptedException {
    return HTTP.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .timeout(Duration.ofSeconds(5))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  static boolean running(Integer port) {
    if (port == null) {
      return false;
    }
    try {
      return get(port, "/health").statusCode() == 200;
    } catch (IOException | InterruptedException e) {
      return false;
    }
  }
}

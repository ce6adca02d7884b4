package io.lapse.expiry;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.apache.kafka.streams.KafkaStreams;

/**
 * The processor's small HTTP server (JDK {@code com.sun.net.httpserver}, one thread): {@code GET
 * /health} answers 200 while Streams is RUNNING and 503 otherwise (REBALANCING included, so a
 * readiness probe holds traffic during restores), with the state as JSON; also 503, with {@code
 * "registry":"UNAVAILABLE"}, while a schema registry outage holds up processing (the stream threads
 * keep being replaced and may read RUNNING in between). {@code GET /metrics} answers the Prometheus
 * text exposition.
 */
final class HealthServer implements AutoCloseable {
  private final HttpServer server;

  HealthServer(
      String host,
      int port,
      Supplier<KafkaStreams.State> state,
      BooleanSupplier registryBlocks,
      Supplier<String> metrics) {
    try {
      server = HttpServer.create(new InetSocketAddress(host, port), 0);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot bind health server on " + host + ":" + port, e);
    }
    server.setExecutor(
        Executors.newSingleThreadExecutor(
            r -> {
              Thread t = new Thread(r, "lapse-expiry-http");
              t.setDaemon(true);
              return t;
            }));
    server.createContext(
        "/health",
        ex -> {
          KafkaStreams.State s = state.get();
          boolean blocked = registryBlocks.getAsBoolean();
          boolean up = s == KafkaStreams.State.RUNNING && !blocked;
          String body =
              "{\"status\":\""
                  + (up ? "UP" : "DOWN")
                  + "\",\"state\":\""
                  + s
                  + (blocked ? "\",\"registry\":\"UNAVAILABLE" : "")
                  + "\"}";
          respond(ex, up ? 200 : 503, "application/json", body);
        });
    server.createContext(
        "/metrics",
        ex -> respond(ex, 200, "text/plain; version=0.0.4; charset=utf-8", metrics.get()));
    server.start();
  }

  int port() {
    return server.getAddress().getPort();
  }

  private static void respond(HttpExchange ex, int status, String type, String body)
      throws IOException {
    try (ex) {
      if (!"GET".equals(ex.getRequestMethod())) {
        ex.sendResponseHeaders(405, -1);
        return;
      }
      byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
      ex.getResponseHeaders().set("Content-Type", type);
      ex.sendResponseHeaders(status, bytes.length);
      try (OutputStream out = ex.getResponseBody()) {
        out.write(bytes);
      }
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}

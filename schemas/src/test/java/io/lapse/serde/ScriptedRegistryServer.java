package io.lapse.serde;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/**
 * An HTTP server on 127.0.0.1 (free port) that answers every request with a scripted response and
 * records what it received. It exists to test the REST client's side of the protocol against
 * answers a real Apicurio never gives (Confluent 8.2's 40901, a proxy's HTML error page, a dead URL
 * next to a live one); everything a real registry does answer is tested against Apicurio in the
 * integration tests.
 */
final class ScriptedRegistryServer implements AutoCloseable {
  /** What the client sent. */
  record Request(
      String method, String pathAndQuery, String authorization, String contentType, String body) {}

  /** What to answer. */
  record Response(int status, String contentType, String body) {
    static Response json(int status, String body) {
      return new Response(status, "application/vnd.schemaregistry.v1+json", body);
    }
  }

  private final HttpServer server;
  private final List<Request> requests = new CopyOnWriteArrayList<>();

  ScriptedRegistryServer(String basePath, Function<Request, Response> script) throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext(
        "/",
        exchange -> {
          String full = exchange.getRequestURI().getRawPath();
          String query = exchange.getRequestURI().getRawQuery();
          String path =
              full.startsWith(basePath) ? full.substring(basePath.length()) : "!outside:" + full;
          Request request =
              new Request(
                  exchange.getRequestMethod(),
                  path + (query == null ? "" : "?" + query),
                  exchange.getRequestHeaders().getFirst("Authorization"),
                  exchange.getRequestHeaders().getFirst("Content-Type"),
                  new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
          requests.add(request);
          Response response = script.apply(request);
          byte[] body = response.body().getBytes(StandardCharsets.UTF_8);
          exchange.getResponseHeaders().set("Content-Type", response.contentType());
          exchange.sendResponseHeaders(response.status(), body.length == 0 ? -1 : body.length);
          try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
          }
        });
    server.start();
  }

  /** The base URL, with the given base path, e.g. {@code http://127.0.0.1:4711/apis/ccompat/v7}. */
  String url(String basePath) {
    return "http://127.0.0.1:" + server.getAddress().getPort() + basePath;
  }

  List<Request> requests() {
    return List.copyOf(requests);
  }

  @Override
  public void close() {
    server.stop(0);
  }
}

package io.lapse.testkit;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.URI;
import java.net.URLEncoder;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Just enough of the Docker Engine API to decide, within a bound, whether a container broker can
 * start: is there an engine, is an image present, can it be pulled. Testcontainers itself retries a
 * pull for minutes when no registry is reachable (as on machines without network), which is why the
 * test kit asks first with this small client.
 *
 * <p>Every call is bounded: the channel is closed when the bound passes, which ends a blocked read.
 */
final class DockerEngine {
  private final Endpoint endpoint;

  /** Where the engine listens: a unix socket or a TCP address. */
  record Endpoint(Optional<Path> socket, Optional<InetSocketAddress> tcp) {
    static Endpoint unix(Path socket) {
      return new Endpoint(Optional.of(socket), Optional.empty());
    }

    static Endpoint tcp(String host, int port) {
      return new Endpoint(Optional.empty(), Optional.of(new InetSocketAddress(host, port)));
    }
  }

  /** An HTTP answer of the engine. */
  record Reply(int status, String body) {}

  DockerEngine(Endpoint endpoint) {
    this.endpoint = endpoint;
  }

  /**
   * The engine this machine points at: {@code DOCKER_HOST} ({@code unix://} or {@code tcp://}),
   * else the usual sockets; empty when none of them exists.
   */
  static Optional<DockerEngine> locate(String dockerHost, Path home) {
    if (dockerHost != null && !dockerHost.isBlank()) {
      URI uri = URI.create(dockerHost.strip());
      return switch (uri.getScheme() == null ? "" : uri.getScheme()) {
        case "unix" -> Optional.of(new DockerEngine(Endpoint.unix(Path.of(uri.getPath()))));
        case "tcp", "http" ->
            Optional.of(
                new DockerEngine(
                    Endpoint.tcp(uri.getHost(), uri.getPort() < 0 ? 2375 : uri.getPort())));
        default -> Optional.empty(); // tls, ssh, npipe: leave those to Testcontainers' own setup
      };
    }
    for (Path socket :
        new Path[] {Path.of("/var/run/docker.sock"), home.resolve(".docker/run/docker.sock")}) {
      if (Files.exists(socket)) {
        return Optional.of(new DockerEngine(Endpoint.unix(socket)));
      }
    }
    return Optional.empty();
  }

  /** Whether the engine answers {@code GET /_ping} within {@code bound}. */
  boolean answers(Duration bound) {
    try {
      return call("GET", "/_ping", bound).status() == 200;
    } catch (IOException | TimeoutException e) {
      return false;
    }
  }

  /**
   * Whether the engine has a network of this name; true when it cannot tell within {@code bound}
   * (the usual engine has {@code bridge}).
   */
  boolean hasNetwork(String name, Duration bound) {
    try {
      return call("GET", "/networks/" + URLEncoder.encode(name, StandardCharsets.UTF_8), bound)
              .status()
          != 404;
    } catch (IOException | TimeoutException e) {
      return true;
    }
  }

  /** Whether {@code image} is present (or becomes present by a pull that ends within bound). */
  boolean obtain(String image, Duration bound) {
    try {
      if (call("GET", "/images/" + image + "/json", bound).status() == 200) {
        return true;
      }
      int colon = image.lastIndexOf(':');
      boolean tagged = colon > image.lastIndexOf('/');
      String name = tagged ? image.substring(0, colon) : image;
      String tag = tagged ? image.substring(colon + 1) : "latest";
      Reply pull =
          call(
              "POST",
              "/images/create?fromImage="
                  + URLEncoder.encode(name, StandardCharsets.UTF_8)
                  + "&tag="
                  + URLEncoder.encode(tag, StandardCharsets.UTF_8),
              bound);
      // The engine answers 200 and streams progress; an error shows up inside the stream.
      return pull.status() == 200
          && !pull.body().contains("\"error\"")
          && call("GET", "/images/" + image + "/json", bound).status() == 200;
    } catch (IOException | TimeoutException e) {
      return false;
    }
  }

  /** One request with {@code Connection: close}, read to its end, all within {@code bound}. */
  Reply call(String method, String path, Duration bound) throws IOException, TimeoutException {
    SocketChannel channel =
        endpoint.socket().isPresent()
            ? SocketChannel.open(StandardProtocolFamily.UNIX)
            : SocketChannel.open();
    ExecutorService io =
        Executors.newSingleThreadExecutor(
            r -> {
              Thread t = new Thread(r, "docker-engine-probe");
              t.setDaemon(true);
              return t;
            });
    try {
      Future<Reply> answer = io.submit(() -> exchange(channel, method, path));
      return answer.get(bound.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw e.getCause() instanceof IOException io2 ? io2 : new IOException(e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    } finally {
      channel.close(); // ends a read still blocked after the bound
      io.shutdownNow();
    }
  }

  private Reply exchange(SocketChannel channel, String method, String path) throws IOException {
    if (endpoint.socket().isPresent()) {
      channel.connect(UnixDomainSocketAddress.of(endpoint.socket().get()));
    } else {
      channel.connect(endpoint.tcp().orElseThrow());
    }
    String request =
        method
            + " "
            + path
            + " HTTP/1.1\r\nHost: docker\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
    ByteBuffer out = ByteBuffer.wrap(request.getBytes(StandardCharsets.US_ASCII));
    while (out.hasRemaining()) {
      channel.write(out);
    }
    ByteArrayOutputStream received = new ByteArrayOutputStream();
    ByteBuffer in = ByteBuffer.allocate(8192);
    while (channel.read(in) >= 0) {
      in.flip();
      received.write(in.array(), 0, in.limit());
      in.clear();
    }
    String text = received.toString(StandardCharsets.UTF_8);
    int lineEnd = text.indexOf("\r\n");
    String[] statusLine = (lineEnd < 0 ? text : text.substring(0, lineEnd)).split(" ");
    if (statusLine.length < 2 || !statusLine[0].startsWith("HTTP/")) {
      throw new IOException("not an HTTP answer from the Docker engine");
    }
    int headersEnd = text.indexOf("\r\n\r\n");
    return new Reply(
        Integer.parseInt(statusLine[1]), headersEnd < 0 ? "" : text.substring(headersEnd + 4));
  }
}

package io.lapse.testkit;

import io.lapse.infra.SchemaRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A TCP proxy on 127.0.0.1 in front of a running schema registry, switched by the test to simulate
 * an outage of it exactly, without stopping the registry (which is shared by every test of the JVM
 * and keeps its schemas only in memory). Point the code under test at {@link #url()}; the test
 * itself may keep talking to the registry directly, e.g. to register a schema while the code under
 * test cannot reach it.
 *
 * <ul>
 *   <li>{@link #forward()}: bytes are relayed both ways (the initial mode);
 *   <li>{@link #refuse()}: the port is closed, connections are refused, as with a registry that is
 *       down; {@link #forward()} binds the same port again;
 *   <li>{@link #answer503()}: every request is answered {@code 503 Service Unavailable}, as a load
 *       balancer in front of a dead registry does.
 * </ul>
 *
 * Every switch cuts the connections open at that moment, so a pooled keep-alive connection never
 * outlives the mode it was opened in.
 */
public final class RegistryOutageProxy implements AutoCloseable {
  private enum Mode {
    FORWARD,
    REFUSE,
    ANSWER_503
  }

  private final String upstreamHost;
  private final int upstreamPort;
  private final String path;
  private final int port;
  private final Set<Socket> open = ConcurrentHashMap.newKeySet();
  private volatile Mode mode = Mode.FORWARD;
  private ServerSocket server;

  /** Starts forwarding to the registry at once. */
  public RegistryOutageProxy(SchemaRegistry registry) {
    URI upstream = URI.create(registry.url());
    this.upstreamHost = upstream.getHost();
    this.upstreamPort = upstream.getPort();
    this.path = upstream.getRawPath() == null ? "" : upstream.getRawPath();
    this.server = bind(0);
    this.port = server.getLocalPort();
    startAccepting(server);
  }

  /** The registry's base URL through this proxy (same path). */
  public String url() {
    return "http://127.0.0.1:" + port + path;
  }

  /** Relays to the registry again (binding the port again after {@link #refuse()}). */
  public synchronized void forward() {
    switchTo(Mode.FORWARD);
  }

  /** Answers every request with HTTP 503 (binding the port again after {@link #refuse()}). */
  public synchronized void answer503() {
    switchTo(Mode.ANSWER_503);
  }

  /** Closes the port: connections are refused until {@link #forward()} or {@link #answer503()}. */
  public synchronized void refuse() {
    mode = Mode.REFUSE;
    closeQuietly(server);
    cutOpenConnections();
  }

  private void switchTo(Mode next) {
    mode = next;
    cutOpenConnections();
    if (server.isClosed()) {
      server = bind(port);
      startAccepting(server);
    }
  }

  private static ServerSocket bind(int port) {
    try {
      ServerSocket socket = new ServerSocket();
      socket.setReuseAddress(true); // rebind the same port at once after refuse()
      socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 50);
      return socket;
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot bind the registry proxy on port " + port, e);
    }
  }

  private void startAccepting(ServerSocket socket) {
    daemon("registry-proxy-accept", () -> acceptLoop(socket));
  }

  private void acceptLoop(ServerSocket socket) {
    while (!socket.isClosed()) {
      Socket client;
      try {
        client = socket.accept();
      } catch (IOException e) {
        return; // closed by refuse() or close()
      }
      open.add(client);
      if (mode == Mode.ANSWER_503) {
        daemon("registry-proxy-503", () -> answer503(client));
      } else {
        daemon("registry-proxy-relay", () -> relay(client));
      }
    }
  }

  private void answer503(Socket client) {
    try (client) {
      readRequestHead(client.getInputStream());
      String body = "{\"error_code\":50301,\"message\":\"registry unavailable (test proxy)\"}";
      String response =
          "HTTP/1.1 503 Service Unavailable\r\n"
              + "Content-Type: application/json\r\n"
              + "Content-Length: "
              + body.length()
              + "\r\nConnection: close\r\n\r\n"
              + body;
      client.getOutputStream().write(response.getBytes(StandardCharsets.US_ASCII));
      client.getOutputStream().flush();
    } catch (IOException e) {
      // the client went away first
    } finally {
      open.remove(client);
    }
  }

  private void relay(Socket client) {
    Socket upstream;
    try {
      upstream = new Socket(upstreamHost, upstreamPort);
    } catch (IOException e) {
      closeQuietly(client);
      open.remove(client);
      return;
    }
    open.add(upstream);
    if (mode != Mode.FORWARD) {
      // switched while connecting: this connection belongs to the old mode
      closeQuietly(client);
      closeQuietly(upstream);
      open.remove(client);
      open.remove(upstream);
      return;
    }
    daemon("registry-proxy-up", () -> pump(client, upstream));
    pump(upstream, client);
  }

  /** Copies bytes until either side closes, then closes both. */
  private void pump(Socket from, Socket to) {
    try {
      InputStream in = from.getInputStream();
      OutputStream out = to.getOutputStream();
      byte[] buffer = new byte[8192];
      int n;
      while ((n = in.read(buffer)) != -1) {
        out.write(buffer, 0, n);
        out.flush();
      }
    } catch (IOException e) {
      // cut by a mode switch, or closed by a peer
    } finally {
      closeQuietly(from);
      closeQuietly(to);
      open.remove(from);
      open.remove(to);
    }
  }

  /** Reads up to the blank line that ends an HTTP request head. */
  private static void readRequestHead(InputStream in) throws IOException {
    byte[] end = {'\r', '\n', '\r', '\n'};
    int matched = 0;
    int b;
    while (matched < end.length && (b = in.read()) != -1) {
      matched = b == end[matched] ? matched + 1 : (b == '\r' ? 1 : 0);
    }
  }

  private void cutOpenConnections() {
    for (Socket s : open) {
      closeQuietly(s);
    }
    open.clear();
  }

  private static void daemon(String name, Runnable body) {
    Thread t = new Thread(body, name);
    t.setDaemon(true);
    t.start();
  }

  private static void closeQuietly(AutoCloseable c) {
    try {
      c.close();
    } catch (Exception e) {
      // nothing left to release
    }
  }

  @Override
  public synchronized void close() {
    mode = Mode.REFUSE;
    closeQuietly(server);
    cutOpenConnections();
  }
}

package io.lapse.serde;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP server on 127.0.0.1 (free port) that reads each HTTP request's head and closes the
 * connection without answering: what a registry that dies mid-request, or a proxy in front of a
 * dead one, looks like to the client.
 */
final class DroppingServer implements AutoCloseable {
  private final ServerSocket socket;
  private final AtomicInteger accepted = new AtomicInteger();
  private final Thread thread;

  DroppingServer() throws IOException {
    socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    thread = new Thread(this::acceptLoop, "dropping-server");
    thread.setDaemon(true);
    thread.start();
  }

  private void acceptLoop() {
    while (!socket.isClosed()) {
      try (Socket connection = socket.accept()) {
        accepted.incrementAndGet();
        readHead(connection.getInputStream());
      } catch (IOException e) {
        // closed, or the client went away first: either way the next accept decides
      }
    }
  }

  /** Reads up to the blank line that ends the request head. */
  private static void readHead(InputStream in) throws IOException {
    int matched = 0;
    byte[] end = {'\r', '\n', '\r', '\n'};
    int b;
    while (matched < end.length && (b = in.read()) != -1) {
      matched = b == end[matched] ? matched + 1 : (b == '\r' ? 1 : 0);
    }
  }

  /** A base URL on this server, with Apicurio's base path. */
  String url() {
    return "http://127.0.0.1:" + socket.getLocalPort() + "/apis/ccompat/v7";
  }

  /** Connections accepted (and dropped) so far. */
  int accepted() {
    return accepted.get();
  }

  @Override
  public void close() {
    try {
      socket.close();
      thread.join(2_000);
    } catch (IOException e) {
      // nothing left to release
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}

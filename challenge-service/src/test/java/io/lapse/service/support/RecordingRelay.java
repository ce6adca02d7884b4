package io.lapse.service.support;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.function.IntSupplier;

/**
 * A TCP relay on loopback that records what clients send through it: a wiretap on the internal
 * network, to capture a real forward between instances and try it again.
 */
public final class RecordingRelay implements AutoCloseable {
  private final ServerSocket server;
  private final IntSupplier targetPort;
  private final ByteArrayOutputStream sent = new ByteArrayOutputStream();

  /** Relays to {@code 127.0.0.1:targetPort}, the port looked up at each connection. */
  public RecordingRelay(IntSupplier targetPort) throws IOException {
    this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    this.targetPort = targetPort;
    Thread acceptor = new Thread(this::accept, "recording-relay");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  public int port() {
    return server.getLocalPort();
  }

  /** Everything clients sent so far, all connections in arrival order of their chunks. */
  public String sent() {
    synchronized (sent) {
      return sent.toString(StandardCharsets.ISO_8859_1);
    }
  }

  private void accept() {
    while (!server.isClosed()) {
      try {
        Socket client = server.accept();
        Socket target = new Socket(InetAddress.getLoopbackAddress(), targetPort.getAsInt());
        pump(client.getInputStream(), target.getOutputStream(), true, client, target);
        pump(target.getInputStream(), client.getOutputStream(), false, client, target);
      } catch (IOException e) {
        return; // closed
      }
    }
  }

  private void pump(InputStream in, OutputStream out, boolean record, Socket a, Socket b) {
    Thread t =
        new Thread(
            () -> {
              byte[] buf = new byte[8192];
              try (a;
                  b) {
                for (int n; (n = in.read(buf)) > 0; ) {
                  if (record) {
                    synchronized (sent) {
                      sent.write(buf, 0, n);
                    }
                  }
                  out.write(buf, 0, n);
                  out.flush();
                }
              } catch (IOException e) {
                // one side closed: the connection is over
              }
            },
            "recording-relay-pump");
    t.setDaemon(true);
    t.start();
  }

  @Override
  public void close() throws IOException {
    server.close();
  }
}

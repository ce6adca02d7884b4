package io.lapse.infra;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

/**
 * Picks free TCP ports on 127.0.0.1 for servers that need a concrete port before they bind.
 *
 * <p>Responsibility: only that. The port is free when returned but may be taken before the caller
 * binds it, so callers retry on a bind failure.
 */
public final class FreePorts {

  private FreePorts() {}

  /** A port that was free on 127.0.0.1 a moment ago, different from {@code avoid}. */
  public static int pick(int... avoid) {
    for (int i = 0; i < 20; i++) {
      int candidate = bindAndRelease();
      boolean clash = false;
      for (int a : avoid) {
        clash |= a == candidate;
      }
      if (!clash) {
        return candidate;
      }
    }
    throw new IllegalStateException("No free port found on 127.0.0.1");
  }

  /** Whether nothing listens on {@code 127.0.0.1:port} right now. */
  public static boolean isFree(int port) {
    try (ServerSocket socket = new ServerSocket()) {
      socket.setReuseAddress(true);
      socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static int bindAndRelease() {
    try (ServerSocket socket = new ServerSocket()) {
      socket.setReuseAddress(true);
      socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot bind a probe socket on 127.0.0.1", e);
    }
  }
}

package io.lapse.launcher.bench;

import io.lapse.infra.FreePorts;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Redis as the posts show it: each challenge a key with an absolute expiry ({@code SET sid 1 PXAT
 * deadline}), the expiry seen on {@code __keyevent@0__:expired} (keyspace notifications {@code
 * Ex}). Debian's {@code redis-server} with its defaults, no persistence, on a free loopback port.
 * RESP is spoken directly: two commands and one subscription need no client library.
 */
final class RedisContender implements Contender {
  private Process server;
  private Socket writer;
  private OutputStream out;
  private Socket subscriber;
  private final AtomicLong sent = new AtomicLong();
  private final AtomicLong replied = new AtomicLong();
  private String version = "redis-server";

  @Override
  public String name() {
    return "Redis TTL + keyspace events";
  }

  @Override
  public void start(Path dir, Sink sink) throws Exception {
    String binary = Binaries.find("redis-server");
    if (binary == null) {
      throw new Unavailable(
          "redis-server not found; install it: apt-get install redis-server postgresql");
    }
    version = Binaries.output(binary, "--version");
    int port = FreePorts.pick();
    server =
        new ProcessBuilder(
                binary,
                "--port",
                String.valueOf(port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--notify-keyspace-events",
                "Ex",
                "--dir",
                dir.toString())
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("redis.out").toFile())
            .start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (subscriber == null) {
      try {
        subscriber = new Socket(InetAddress.getLoopbackAddress(), port);
      } catch (IOException e) {
        if (System.nanoTime() > deadline || !server.isAlive()) {
          throw new IllegalStateException("redis-server did not start; see " + dir, e);
        }
        Thread.sleep(100); // waiting for the port to open, bounded
      }
    }
    subscriber.setTcpNoDelay(true);
    OutputStream sub = subscriber.getOutputStream();
    sub.write(Resp.command("SUBSCRIBE", "__keyevent@0__:expired"));
    sub.flush();
    InputStream subIn = new BufferedInputStream(subscriber.getInputStream());
    Resp.read(subIn); // the subscription's confirmation
    Thread events =
        new Thread(
            () -> {
              try {
                while (true) {
                  Object message = Resp.read(subIn);
                  long now = System.currentTimeMillis();
                  if (message instanceof List<?> parts
                      && parts.size() == 3
                      && "message".equals(parts.get(0))) {
                    sink.expired((String) parts.get(2), now, now);
                  }
                }
              } catch (IOException e) {
                // closed at the end of the run
              }
            },
            "bench-redis-events");
    events.setDaemon(true);
    events.start();
    writer = new Socket(InetAddress.getLoopbackAddress(), port);
    writer.setTcpNoDelay(true);
    out = new BufferedOutputStream(writer.getOutputStream(), 1 << 16);
    InputStream replies = new BufferedInputStream(writer.getInputStream());
    Thread acks =
        new Thread(
            () -> {
              try {
                while (true) {
                  Resp.read(replies);
                  replied.incrementAndGet();
                }
              } catch (IOException e) {
                // closed at the end of the run
              }
            },
            "bench-redis-replies");
    acks.setDaemon(true);
    acks.start();
  }

  @Override
  public synchronized void create(String sid, long deadlineMillis) throws IOException {
    out.write(Resp.command("SET", sid, "1", "PXAT", Long.toString(deadlineMillis)));
    sent.incrementAndGet();
    if (sent.get() % 256 == 0) {
      out.flush(); // pipelined, as a client library would
    }
  }

  @Override
  public void flush() throws Exception {
    synchronized (this) {
      out.flush();
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (replied.get() < sent.get() && System.nanoTime() < deadline) {
      Thread.sleep(10); // waiting for the pipeline's replies, bounded
    }
  }

  @Override
  public long cpuNanos() {
    return server == null ? 0 : ProcessCpu.treeNanos(server.toHandle());
  }

  @Override
  public String version() {
    return version;
  }

  @Override
  public void close() {
    for (Socket s : new Socket[] {writer, subscriber}) {
      try {
        if (s != null) {
          s.close();
        }
      } catch (IOException e) {
        // stopping anyway
      }
    }
    if (server != null) {
      server.destroy();
      try {
        if (!server.waitFor(10, TimeUnit.SECONDS)) {
          server.destroyForcibly();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        server.destroyForcibly();
      }
    }
  }

  /** The little of RESP2 the benchmark needs. */
  static final class Resp {
    private Resp() {}

    static byte[] command(String... parts) {
      StringBuilder b = new StringBuilder().append('*').append(parts.length).append("\r\n");
      for (String p : parts) {
        b.append('$').append(p.getBytes(StandardCharsets.UTF_8).length).append("\r\n");
        b.append(p).append("\r\n");
      }
      return b.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** One reply: a String, a Long, null, or a List of those. */
    static Object read(InputStream in) throws IOException {
      int type = in.read();
      if (type < 0) {
        throw new IOException("closed");
      }
      String line = line(in);
      switch (type) {
        case '+':
          return line;
        case '-':
          throw new IOException("redis: " + line);
        case ':':
          return Long.parseLong(line);
        case '$':
          {
            int n = Integer.parseInt(line);
            if (n < 0) {
              return null;
            }
            byte[] b = in.readNBytes(n + 2);
            return new String(b, 0, n, StandardCharsets.UTF_8);
          }
        case '*':
          {
            int n = Integer.parseInt(line);
            List<Object> items = new ArrayList<>(Math.max(0, n));
            for (int i = 0; i < n; i++) {
              items.add(read(in));
            }
            return items;
          }
        default:
          throw new IOException("unexpected RESP type " + (char) type);
      }
    }

    private static String line(InputStream in) throws IOException {
      StringBuilder b = new StringBuilder();
      int c;
      while ((c = in.read()) != '\r') {
        if (c < 0) {
          throw new IOException("closed");
        }
        b.append((char) c);
      }
      in.read(); // '\n'
      return b.toString();
    }
  }
}

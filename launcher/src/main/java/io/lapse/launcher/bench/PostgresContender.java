package io.lapse.launcher.bench;

import io.lapse.infra.FileTrees;
import io.lapse.infra.FreePorts;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * PostgreSQL with a deadline index, drained by a poller every {@link #POLL_MS} ms that deletes due
 * rows with {@code FOR UPDATE SKIP LOCKED} ({@link PostgresSql}); the committed deletion is the
 * expiry. Debian's binaries, a fresh cluster in a temporary directory on a free loopback port, its
 * defaults otherwise (durable commits). Its CPU is the postmaster's process tree.
 */
final class PostgresContender implements Contender {
  static final int POLL_MS = 50;
  static final int BATCH = 1000;

  private final List<String> asPostgres = new ArrayList<>();
  private String pgCtl;
  private Path pg;
  private Connection inserts;
  private PreparedStatement insert;
  private int batched;
  private Thread poller;
  private final AtomicBoolean stop = new AtomicBoolean();
  private String version = "PostgreSQL";
  private long postmaster = -1;

  @Override
  public String name() {
    return "PostgreSQL SKIP LOCKED poller";
  }

  @Override
  public void start(Path dir, Sink sink) throws Exception {
    String initdb = Binaries.find("initdb");
    pgCtl = Binaries.find("pg_ctl");
    if (initdb == null || pgCtl == null) {
      throw new Unavailable(
          "PostgreSQL's initdb/pg_ctl not found; install it: apt-get install redis-server"
              + " postgresql");
    }
    version = Binaries.output(pgCtl, "--version");
    // PostgreSQL refuses to run as root: as root, its files belong to and it runs as postgres.
    pg = Files.createTempDirectory("lapse-bench-pg");
    if ("root".equals(System.getProperty("user.name"))) {
      Binaries.run(List.of("chown", "postgres:postgres", pg.toString()));
      asPostgres.addAll(List.of("runuser", "-u", "postgres", "--"));
    }
    int port = FreePorts.pick();
    Binaries.run(
        with(
            initdb,
            "-D",
            pg.resolve("data").toString(),
            "-U",
            "bench",
            "-A",
            "trust",
            "-E",
            "UTF8",
            "--no-sync"));
    Binaries.run(
        with(
            pgCtl,
            "-D",
            pg.resolve("data").toString(),
            "-l",
            pg.resolve("log").toString(),
            "-w",
            "-t",
            "120",
            "-o",
            "-p " + port + " -k " + pg + " -c listen_addresses=127.0.0.1",
            "start"));
    postmaster =
        Long.parseLong(
            Files.readAllLines(pg.resolve("data").resolve("postmaster.pid")).get(0).strip());
    String url = "jdbc:postgresql://127.0.0.1:" + port + "/postgres?reWriteBatchedInserts=true";
    inserts = DriverManager.getConnection(url, "bench", "");
    try (Statement s = inserts.createStatement()) {
      s.execute(PostgresSql.CREATE_TABLE);
      s.execute(PostgresSql.CREATE_INDEX);
    }
    inserts.setAutoCommit(false);
    insert = inserts.prepareStatement(PostgresSql.INSERT);
    Connection polling = DriverManager.getConnection(url, "bench", "");
    poller = new Thread(() -> poll(polling, sink), "bench-postgres-poller");
    poller.setDaemon(true);
    poller.start();
  }

  private void poll(Connection c, Sink sink) {
    try (c;
        PreparedStatement due = c.prepareStatement(PostgresSql.pollDue(BATCH))) {
      while (!stop.get()) {
        int rows;
        do {
          long now = System.currentTimeMillis();
          due.setLong(1, now);
          List<String> expired = new ArrayList<>();
          try (ResultSet r = due.executeQuery()) { // autocommit: committed when it returns
            while (r.next()) {
              expired.add(r.getString(1));
            }
          }
          long seen = System.currentTimeMillis();
          expired.forEach(sid -> sink.expired(sid, now, seen));
          rows = expired.size();
        } while (rows == BATCH && !stop.get());
        Thread.sleep(POLL_MS); // the poll interval is the design
      }
    } catch (SQLException e) {
      if (!stop.get()) {
        System.err.println("bench: the PostgreSQL poller failed: " + e.getMessage());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private List<String> with(String... command) {
    List<String> all = new ArrayList<>(asPostgres);
    all.addAll(List.of(command));
    return all;
  }

  @Override
  public synchronized void create(String sid, long deadlineMillis) throws SQLException {
    insert.setString(1, sid);
    insert.setLong(2, deadlineMillis);
    insert.addBatch();
    if (++batched == 500) {
      commitBatch();
    }
  }

  private void commitBatch() throws SQLException {
    if (batched > 0) {
      insert.executeBatch();
      inserts.commit();
      batched = 0;
    }
  }

  @Override
  public synchronized void flush() throws SQLException {
    commitBatch();
  }

  @Override
  public long cpuNanos() {
    return postmaster < 0 ? 0 : ProcessHandle.of(postmaster).map(ProcessCpu::treeNanos).orElse(0L);
  }

  @Override
  public String version() {
    return version;
  }

  @Override
  public void close() {
    stop.set(true);
    try {
      if (poller != null) {
        poller.join(10_000);
      }
      if (inserts != null) {
        inserts.close();
      }
    } catch (SQLException e) {
      // stopping anyway
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (pg != null) {
      try {
        if (pgCtl != null && Files.exists(pg.resolve("data").resolve("postmaster.pid"))) {
          Binaries.run(
              with(pgCtl, "-D", pg.resolve("data").toString(), "-m", "immediate", "-w", "stop"));
        }
      } catch (Exception e) {
        System.err.println("bench: could not stop PostgreSQL: " + e.getMessage());
        ProcessHandle.of(postmaster).ifPresent(ProcessHandle::destroyForcibly);
      }
      FileTrees.deleteQuietly(pg);
    }
  }
}

package io.lapse.launcher.bench;

/**
 * The SQL of the PostgreSQL contender: a table of pending challenges with an index on the deadline,
 * drained by a poller that deletes due rows in deadline order, skipping rows another poller holds.
 */
final class PostgresSql {
  private PostgresSql() {}

  static final String CREATE_TABLE =
      "CREATE TABLE pending (sid text PRIMARY KEY, deadline bigint NOT NULL)";

  static final String CREATE_INDEX = "CREATE INDEX pending_deadline ON pending (deadline)";

  static final String INSERT = "INSERT INTO pending (sid, deadline) VALUES (?, ?)";

  /**
   * One poll: deletes up to {@code batch} rows due at the bound parameter (epoch milliseconds) and
   * returns them; the deletion is the expiry, committed with the statement.
   */
  static String pollDue(int batch) {
    if (batch < 1) {
      throw new IllegalArgumentException("batch must be ≥ 1: " + batch);
    }
    return "DELETE FROM pending WHERE sid IN (SELECT sid FROM pending WHERE deadline <= ?"
        + " ORDER BY deadline LIMIT "
        + batch
        + " FOR UPDATE SKIP LOCKED) RETURNING sid, deadline";
  }
}

package io.lapse.service.domain;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class SnapshotTableTest {
  record Row(String parent, String name) {}

  private static final Duration LONG = Duration.ofMinutes(1);

  private final SnapshotTable<Row> table = new SnapshotTable<>(Row::parent, Row::name);

  @Test
  void shouldNotLetAnOlderOffsetOverwriteANewerWrite() {
    table.apply("k", 5, new Row("p", "new"));
    table.apply("k", 3, new Row("p", "old"));
    assertThat(table.get("k")).contains(new Row("p", "new"));
    assertThat(table.byUniqueKey("old")).isEmpty();
  }

  @Test
  void shouldKeepATombstoneAgainstAnOlderReplay() {
    table.apply("k", 1, new Row("p", "a"));
    table.apply("k", 2, null);
    table.apply("k", 1, new Row("p", "a"));
    assertThat(table.get("k")).isEmpty();
    assertThat(table.children("p")).isEmpty();
    assertThat(table.size()).isZero();
  }

  @Test
  void shouldReindexWhenAParentOrUniqueKeyChanges() {
    table.apply("k", 1, new Row("p1", "a"));
    table.apply("k", 2, new Row("p2", "b"));
    assertThat(table.children("p1")).isEmpty();
    assertThat(table.children("p2")).containsExactly(new Row("p2", "b"));
    assertThat(table.byUniqueKey("a")).isEmpty();
    assertThat(table.byUniqueKey("b")).isPresent();
  }

  @Test
  void shouldCompleteAWaitForARowWhenAnApplyShowsIt() {
    CompletableFuture<Boolean> shown =
        table.whenRow("k", r -> r.map(Row::name).filter("b"::equals).isPresent(), LONG);
    table.apply("k", 1, new Row("p", "a"));
    assertThat(shown).isNotDone();

    table.apply("k", 2, new Row("p", "b"));

    assertThat(shown).isCompletedWithValue(true);
    assertThat(table.waiters()).isZero();
  }

  @Test
  void shouldCompleteAtOnceWhenTheRowShowsAlready() {
    table.apply("k", 1, new Row("p", "a"));

    assertThat(table.whenRow("k", Optional::isPresent, LONG)).isCompletedWithValue(true);
    assertThat(table.whenRow("gone", Optional::isEmpty, LONG)).isCompletedWithValue(true);
    assertThat(table.waiters()).isZero();
  }

  @Test
  void shouldAnswerFalseAfterTheTimeoutAndForgetTheWaiter() {
    CompletableFuture<Boolean> shown =
        table.whenRow("k", Optional::isPresent, Duration.ofMillis(20));
    assertThat(table.waiters()).isEqualTo(1);

    assertThat(shown.orTimeout(5, TimeUnit.SECONDS).join()).isFalse();
    assertThat(table.waiters()).isZero();
  }

  @Test
  void shouldWakeOnlyTheWaitersTheRowNowSatisfies() {
    CompletableFuture<Boolean> present = table.whenRow("k", Optional::isPresent, LONG);
    CompletableFuture<Boolean> gone = table.whenRow("k", Optional::isEmpty, LONG);
    assertThat(gone).isCompletedWithValue(true);

    table.apply("k", 1, new Row("p", "a"));
    CompletableFuture<Boolean> deleted = table.whenRow("k", Optional::isEmpty, LONG);
    assertThat(present).isCompletedWithValue(true);
    assertThat(deleted).isNotDone();

    table.apply("k", 2, null);

    assertThat(deleted).isCompletedWithValue(true);
    assertThat(table.waiters()).isZero();
  }

  @Test
  void shouldCompleteOutsideTheTableSoTheNextStepMayWaitOnAnotherTable() throws Exception {
    SnapshotTable<Row> other = new SnapshotTable<>(Row::parent, Row::name);
    // Each continuation waits on the other table: under the tables' locks, the two applies below
    // (on two threads, as the state follower and a local write would) could deadlock.
    CompletableFuture<Boolean> chain =
        table
            .whenRow("k", Optional::isPresent, LONG)
            .thenCompose(v -> other.whenRow("k", Optional::isPresent, LONG));
    CompletableFuture<Boolean> reverse =
        other
            .whenRow("j", Optional::isPresent, LONG)
            .thenCompose(v -> table.whenRow("j", Optional::isPresent, LONG));
    Thread a = new Thread(() -> table.apply("k", 1, new Row("p", "a")));
    Thread b = new Thread(() -> other.apply("j", 1, new Row("p", "b")));
    a.start();
    b.start();
    a.join(5_000);
    b.join(5_000);
    other.apply("k", 1, new Row("p", "c"));
    table.apply("j", 1, new Row("p", "d"));

    assertThat(chain.get(5, TimeUnit.SECONDS)).isTrue();
    assertThat(reverse.get(5, TimeUnit.SECONDS)).isTrue();
    assertThat(table.waiters() + other.waiters()).isZero();
  }
}

package io.lapse.service.domain;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SnapshotTableTest {
  record Row(String parent, String name) {}

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
}

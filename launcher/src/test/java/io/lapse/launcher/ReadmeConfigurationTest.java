package io.lapse.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.lapse.config.ConfigDef;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The README's configuration tables are the declarations' own: same variables, same defaults, same
 * wording. On a difference the expected section is written to {@code
 * target/README-configuration.md} for pasting.
 */
class ReadmeConfigurationTest {
  private static final Path README = Path.of("..", "README.md");
  private static final Path EXPECTED = Path.of("target", "README-configuration.md");

  private static List<String> section;

  @BeforeAll
  static void readSection() throws IOException {
    List<String> lines = Files.readAllLines(README);
    int start = lines.indexOf("## Configuration");
    assertThat(start).as("README has a \"## Configuration\" section").isNotNegative();
    int end = start + 1;
    while (end < lines.size() && !lines.get(end).startsWith("## ")) {
      end++;
    }
    section = lines.subList(start, end);
    Files.createDirectories(EXPECTED.getParent());
    Files.writeString(EXPECTED, ConfigurationTables.markdown());
  }

  @Test
  void shouldDocumentExactlyTheDeclaredVariablesWithTheirDefaults() {
    ConfigurationTables.BY_LABEL.forEach(
        (label, definition) ->
            assertThat(rows(table(label)))
                .as(
                    "README table after \"%s\" vs %s (expected tables in %s)",
                    label, definition.title(), EXPECTED.toAbsolutePath())
                .containsExactlyElementsOf(declaredRows(definition)));
  }

  @Test
  void shouldCarryTheGeneratedTablesWordForWord() {
    ConfigurationTables.BY_LABEL.forEach(
        (label, definition) ->
            assertThat(String.join("\n", table(label)) + "\n")
                .as(
                    "README table after \"%s\" (expected tables in %s)",
                    label, EXPECTED.toAbsolutePath())
                .isEqualTo(definition.markdownTable()));
  }

  @Test
  void shouldHaveNoConfigurationTableThatNoDeclarationBacks() {
    long tables =
        section.stream().filter(line -> line.startsWith("| variable | default |")).count();
    assertThat(tables).isEqualTo(ConfigurationTables.BY_LABEL.size());
  }

  /** The table lines right after a label line (blank lines in between skipped). */
  private static List<String> table(String label) {
    int at = section.indexOf(label);
    assertThat(at).as("README's configuration section has the line \"%s\"", label).isNotNegative();
    int i = at + 1;
    while (i < section.size() && section.get(i).isBlank()) {
      i++;
    }
    List<String> table = new ArrayList<>();
    while (i < section.size() && section.get(i).startsWith("|")) {
      table.add(section.get(i++));
    }
    return table;
  }

  /** {@code variable | default} of each body row. */
  private static List<Map.Entry<String, String>> rows(List<String> table) {
    return table.stream()
        .skip(2) // header and separator
        .map(ReadmeConfigurationTest::cells)
        .map(cells -> Map.entry(cells.get(0), cells.get(1)))
        .toList();
  }

  private static List<Map.Entry<String, String>> declaredRows(ConfigDef definition) {
    return definition.declarations().stream()
        .map(d -> Map.entry("`" + d.name() + "`", d.markdownDefault()))
        .toList();
  }

  /** The cells of a row, split at unescaped pipes and trimmed. */
  private static List<String> cells(String row) {
    String inner = row.substring(1, row.length() - 1);
    List<String> cells = new ArrayList<>();
    for (String cell : inner.split("(?<!\\\\)\\|", -1)) {
      cells.add(cell.strip());
    }
    return cells;
  }
}

package io.lapse.schemas;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaParser;

/**
 * The schema evolution guard: loads a directory of {@code .avsc} files (one named type per file,
 * references across files allowed) and reports every way the current schemas fail to read data
 * written with a released version.
 *
 * <p>Rules, for every named type of every released version:
 *
 * <ul>
 *   <li>it still exists (a consumer of the topic would otherwise meet an unknown record);
 *   <li>the current schema, as reader, can read data written with the released one, by Avro's own
 *       {@link SchemaCompatibility} (reader = current, writer = released): BACKWARD, as the
 *       registry enforces per subject;
 *   <li>an enum keeps every released symbol. Avro accepts a removed symbol when the enum has a
 *       default (old data then reads as the default), but for Lapse that would turn, say, a DENIED
 *       attempt into a WRONG_CODE one, so the guard refuses it.
 * </ul>
 *
 * Each current schema is checked against every released version, not only the last one (BACKWARD
 * TRANSITIVE), because compacted snapshot topics keep records of any age and consumers replay the
 * challenge topics from the beginning.
 */
final class SchemaEvolution {
  private SchemaEvolution() {}

  /**
   * Every named type (records, enums, fixed) defined by the {@code .avsc} files under a directory.
   */
  static Map<String, Schema> load(Path dir) {
    List<Path> files;
    try (Stream<Path> walk = Files.walk(dir)) {
      files = walk.filter(p -> p.toString().endsWith(".avsc")).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    if (files.isEmpty()) {
      throw new IllegalStateException("No .avsc files under " + dir);
    }
    // SchemaParser resolves names across files once all are parsed, whatever the order.
    SchemaParser parser = new SchemaParser();
    List<SchemaParser.ParseResult> results = new ArrayList<>();
    for (Path file : files) {
      try {
        results.add(parser.parse(file));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      } catch (RuntimeException e) {
        throw new IllegalStateException("Cannot parse " + file + ": " + e.getMessage(), e);
      }
    }
    Map<String, Schema> byName = new TreeMap<>();
    for (SchemaParser.ParseResult result : results) {
      // Read after every file is parsed, so references across files are resolved.
      Schema schema = result.mainSchema();
      byName.put(schema.getFullName(), schema);
    }
    return byName;
  }

  /** The released versions under a directory: subdirectories {@code v1}, {@code v2}, … in order. */
  static Map<String, Map<String, Schema>> loadReleases(Path releasedDir) {
    Map<String, Map<String, Schema>> releases = new java.util.LinkedHashMap<>();
    try (Stream<Path> dirs = Files.list(releasedDir)) {
      dirs.filter(Files::isDirectory)
          .filter(d -> d.getFileName().toString().matches("v\\d+"))
          .sorted(
              Comparator.comparingInt(
                  d -> Integer.parseInt(d.getFileName().toString().substring(1))))
          .forEach(d -> releases.put(d.getFileName().toString(), load(d)));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return releases;
  }

  /** Every problem of the current schemas against one released version; empty when compatible. */
  static List<String> problems(
      Map<String, Schema> current, String release, Map<String, Schema> released) {
    List<String> problems = new ArrayList<>();
    for (Map.Entry<String, Schema> entry : released.entrySet()) {
      String name = entry.getKey();
      Schema old = entry.getValue();
      Schema now = current.get(name);
      if (now == null) {
        problems.add(name + ": released in " + release + " but no longer defined");
        continue;
      }
      SchemaCompatibility.SchemaPairCompatibility result =
          SchemaCompatibility.checkReaderWriterCompatibility(now, old);
      for (SchemaCompatibility.Incompatibility i : result.getResult().getIncompatibilities()) {
        problems.add(
            name
                + ": cannot read data written with "
                + release
                + ": "
                + i.getType()
                + " at "
                + i.getLocation()
                + " ("
                + i.getMessage()
                + ")");
      }
      if (old.getType() == Schema.Type.ENUM && now.getType() == Schema.Type.ENUM) {
        Set<String> removed = new LinkedHashSet<>(old.getEnumSymbols());
        removed.removeAll(now.getEnumSymbols());
        if (!removed.isEmpty()) {
          problems.add(
              name
                  + ": enum symbols "
                  + removed
                  + " of "
                  + release
                  + " were removed (old data would silently read as the default)");
        }
      }
    }
    return problems;
  }

  /** Every problem of the current schemas against every released version. */
  static List<String> problems(
      Map<String, Schema> current, Map<String, Map<String, Schema>> releases) {
    List<String> problems = new ArrayList<>();
    releases.forEach((release, released) -> problems.addAll(problems(current, release, released)));
    return problems;
  }
}

package io.lapse.infra;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** Deletes directory trees left by brokers and registries; failures are ignored, not thrown. */
public final class FileTrees {

  private FileTrees() {}

  /** Deletes the tree under {@code root}, best effort. */
  public static void deleteQuietly(Path root) {
    if (root == null || !Files.exists(root)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(root)) {
      paths
          .sorted(Comparator.reverseOrder())
          .forEach(
              p -> {
                try {
                  Files.deleteIfExists(p);
                } catch (IOException ignored) {
                  // Best effort: a leftover temp file must not fail a test run.
                }
              });
    } catch (IOException ignored) {
      // Same.
    }
  }
}

package io.lapse.infra;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Finds an installed JDK of at least a given feature version, to run a child process that needs a
 * newer Java than the build (Apicurio 3.3 needs 21).
 *
 * <p>Responsibility: look, in this order, at the running JVM, {@code JAVA_HOME}, and the usual
 * install folders ({@code /usr/lib/jvm/*}, {@code /Library/Java/JavaVirtualMachines/*}), newest
 * first; and read an explicit choice from environment variable {@value #HOME_ENV} (or system
 * property {@code lapse.registry.java.home}), which callers let win over any search.
 */
final class JavaRuntimes {

  static final String HOME_ENV = "LAPSE_REGISTRY_JAVA_HOME";

  private static final Pattern RELEASE_VERSION = Pattern.compile("JAVA_VERSION=\"(\\d+)");

  /** A Java installation with its feature version (17, 21, 25...). */
  record Runtime(Path home, int feature) {
    Path javaExecutable() {
      boolean windows = System.getProperty("os.name", "").toLowerCase().contains("win");
      return home.resolve("bin").resolve(windows ? "java.exe" : "java");
    }
  }

  private JavaRuntimes() {}

  /** The first candidate, in the documented order, whose version is at least {@code minimum}. */
  static Optional<Runtime> find(int minimum) {
    for (Runtime candidate : candidates()) {
      if (candidate.feature() >= minimum && Files.isExecutable(candidate.javaExecutable())) {
        return Optional.of(candidate);
      }
    }
    return Optional.empty();
  }

  /** The running JVM. */
  static Runtime current() {
    return new Runtime(
        Path.of(System.getProperty("java.home")), java.lang.Runtime.version().feature());
  }

  private static List<Runtime> candidates() {
    List<Runtime> result = new ArrayList<>();
    result.add(current());
    Optional.ofNullable(System.getenv("JAVA_HOME"))
        .map(Path::of)
        .flatMap(JavaRuntimes::describe)
        .ifPresent(result::add);
    List<Runtime> installed = new ArrayList<>();
    for (Path folder :
        List.of(Path.of("/usr/lib/jvm"), Path.of("/Library/Java/JavaVirtualMachines"))) {
      if (!Files.isDirectory(folder)) {
        continue;
      }
      try (Stream<Path> homes = Files.list(folder)) {
        homes
            .map(
                h -> Files.isDirectory(h.resolve("Contents/Home")) ? h.resolve("Contents/Home") : h)
            .map(JavaRuntimes::describe)
            .flatMap(Optional::stream)
            .forEach(installed::add);
      } catch (IOException e) {
        // An unreadable folder just holds no candidates.
      }
    }
    // Newest first: the fastest and best-supported choice for the child process.
    installed.sort(Comparator.comparingInt(Runtime::feature).reversed());
    result.addAll(installed);
    return result;
  }

  static Optional<Path> explicitHome() {
    String home = System.getProperty("lapse.registry.java.home", System.getenv(HOME_ENV));
    return home == null || home.isBlank() ? Optional.empty() : Optional.of(Path.of(home));
  }

  /** Reads the version from a JDK's {@code release} file. */
  static Optional<Runtime> describe(Path home) {
    Path release = home.resolve("release");
    if (!Files.isRegularFile(release)) {
      return Optional.empty();
    }
    try {
      Matcher m = RELEASE_VERSION.matcher(Files.readString(release));
      if (!m.find()) {
        return Optional.empty();
      }
      int major = Integer.parseInt(m.group(1));
      // Java 8 and older report "1.8.0_x".
      return Optional.of(new Runtime(home.toRealPath(), major == 1 ? 8 : major));
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }
}

package io.lapse.infra;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which Apicurio Registry build to run, with which Java, from which unpacked folder.
 *
 * <p>Responsibility: choose the Java to run it with (an explicit {@code LAPSE_REGISTRY_JAVA_HOME}
 * wins; else the first JDK ≥ 21 found, see {@link JavaRuntimes}; else the running Java 17) and the
 * matching build (3.3.x on Java ≥ 21, else the legacy 3.0.x); find its {@code
 * apicurio-registry-app-<v>-all.tar.gz} in the local Maven repository (where the build put it);
 * unpack it once into {@code ~/.cache/lapse/apicurio-<v>} (or {@code lapse.cache.dir}); and say
 * precisely what is missing when something is.
 */
record RegistryDistribution(String version, JavaRuntimes.Runtime java, Path home, boolean legacy) {

  private static final Logger LOG = LoggerFactory.getLogger(RegistryDistribution.class);
  private static final int MODERN_MIN_JAVA = 21;
  private static final String GROUP_PATH = "io/apicurio/apicurio-registry-app";
  private static final String MARKER = ".lapse-unpacked";

  /** The jar to run with {@code java -jar}. */
  Path runnableJar() {
    return legacy
        ? home.resolve("apicurio-registry-app-" + version + "-runner.jar")
        : home.resolve("quarkus-run.jar");
  }

  /** Chooses, locates and (once) unpacks the distribution. */
  static RegistryDistribution resolve() {
    Properties build = buildProperties();
    String modern = build.getProperty("apicurio.version", "3.3.3");
    String legacyVersion = build.getProperty("apicurio.legacy.version", "3.0.9");
    List<Path> repos = localRepositories(build);

    Optional<Path> explicitHome = JavaRuntimes.explicitHome();
    if (explicitHome.isPresent()) {
      // An explicit choice wins: run whichever Apicurio that Java can run.
      JavaRuntimes.Runtime chosen =
          JavaRuntimes.describe(explicitHome.get())
              .filter(r -> Files.isExecutable(r.javaExecutable()))
              .orElseThrow(
                  () ->
                      new IllegalStateException(
                          JavaRuntimes.HOME_ENV
                              + " (or lapse.registry.java.home) = "
                              + explicitHome.get()
                              + " is not a JDK home (no release file or bin/java)"));
      if (chosen.feature() >= MODERN_MIN_JAVA) {
        Path tarball =
            findTarball(repos, modern)
                .orElseThrow(() -> missingTarball(modern, repos, "JDK " + chosen.feature()));
        return new RegistryDistribution(modern, chosen, unpacked(tarball, modern), false);
      }
      Path tarball =
          findTarball(repos, legacyVersion)
              .orElseThrow(() -> missingLegacy(modern, legacyVersion, repos, chosen));
      return new RegistryDistribution(
          legacyVersion, chosen, unpacked(tarball, legacyVersion), true);
    }
    Optional<JavaRuntimes.Runtime> java21 = JavaRuntimes.find(MODERN_MIN_JAVA);
    if (java21.isPresent()) {
      Path tarball =
          findTarball(repos, modern)
              .orElseThrow(() -> missingTarball(modern, repos, "JDK " + java21.get().feature()));
      return new RegistryDistribution(modern, java21.get(), unpacked(tarball, modern), false);
    }
    JavaRuntimes.Runtime current = JavaRuntimes.current();
    Path legacyTarball =
        findTarball(repos, legacyVersion)
            .orElseThrow(() -> missingLegacy(modern, legacyVersion, repos, current));
    return new RegistryDistribution(
        legacyVersion, current, unpacked(legacyTarball, legacyVersion), true);
  }

  private static IllegalStateException missingLegacy(
      String modern, String legacyVersion, List<Path> repos, JavaRuntimes.Runtime java) {
    return new IllegalStateException(
        "No schema registry can run here: Apicurio Registry "
            + modern
            + " needs a JDK >= 21 and none was chosen or found (looked at $"
            + JavaRuntimes.HOME_ENV
            + ", java.home, $JAVA_HOME, /usr/lib/jvm/*; best: Java "
            + java.feature()
            + " at "
            + java.home()
            + "), and the Java 17 fallback "
            + legacyVersion
            + " is not in the local Maven repository "
            + repos
            + ". Fix: install a JDK 21+ (e.g. Temurin) and set "
            + JavaRuntimes.HOME_ENV
            + " to its home, or put "
            + tarballName(legacyVersion)
            + " into "
            + repos.get(0).resolve(GROUP_PATH).resolve(legacyVersion)
            + " (Maven cannot fetch it: its parent POM is missing from Maven Central).");
  }

  private static IllegalStateException missingTarball(
      String version, List<Path> repos, String java) {
    return new IllegalStateException(
        "Apicurio Registry "
            + version
            + " (chosen because "
            + java
            + " was found) is not in the local Maven repository "
            + repos
            + ": expected "
            + GROUP_PATH
            + "/"
            + version
            + "/"
            + tarballName(version)
            + ". Fix: run the build once online (./mvnw -pl infra -am package -DskipTests fetches it), or "
            + "./mvnw dependency:get -Dartifact=io.apicurio:apicurio-registry-app:"
            + version
            + ":tar.gz:all");
  }

  private static String tarballName(String version) {
    return "apicurio-registry-app-" + version + "-all.tar.gz";
  }

  private static Optional<Path> findTarball(List<Path> repos, String version) {
    String explicit = System.getProperty("lapse.registry.tarball." + version);
    if (explicit != null) {
      return Optional.of(Path.of(explicit)).filter(Files::isRegularFile);
    }
    return repos.stream()
        .map(r -> r.resolve(GROUP_PATH).resolve(version).resolve(tarballName(version)))
        .filter(Files::isRegularFile)
        .findFirst();
  }

  /** Candidate local repositories, most specific first. */
  static List<Path> localRepositories(Properties build) {
    List<Path> repos = new ArrayList<>();
    Optional.ofNullable(System.getProperty("maven.repo.local")).map(Path::of).ifPresent(repos::add);
    Optional.ofNullable(build.getProperty("maven.repo.local"))
        .filter(p -> !p.startsWith("${"))
        .map(Path::of)
        .ifPresent(repos::add);
    Path m2 = Path.of(System.getProperty("user.home"), ".m2");
    settingsLocalRepository(m2.resolve("settings.xml")).ifPresent(repos::add);
    repos.add(m2.resolve("repository"));
    return repos.stream().distinct().toList();
  }

  private static Optional<Path> settingsLocalRepository(Path settings) {
    if (!Files.isRegularFile(settings)) {
      return Optional.empty();
    }
    try {
      Matcher m =
          Pattern.compile("<localRepository>\\s*([^<]+?)\\s*</localRepository>")
              .matcher(Files.readString(settings));
      return m.find() ? Optional.of(Path.of(m.group(1))) : Optional.empty();
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }

  static Properties buildProperties() {
    Properties props = new Properties();
    try (InputStream in =
        RegistryDistribution.class.getResourceAsStream("infra-build.properties")) {
      if (in != null) {
        props.load(in);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read infra-build.properties", e);
    }
    return props;
  }

  static Path cacheRoot() {
    String configured = System.getProperty("lapse.cache.dir");
    if (configured != null) {
      return Path.of(configured);
    }
    String xdg = System.getenv("XDG_CACHE_HOME");
    Path base =
        xdg != null && !xdg.isBlank()
            ? Path.of(xdg)
            : Path.of(System.getProperty("user.home"), ".cache");
    return base.resolve("lapse");
  }

  /**
   * The unpacked folder, unpacking first if needed. Safe when several JVMs race: each unpacks into
   * its own temporary folder and one atomic rename wins.
   */
  private static Path unpacked(Path tarball, String version) {
    Path target = cacheRoot().resolve("apicurio-" + version);
    if (Files.exists(target.resolve(MARKER))) {
      return target;
    }
    Path staging = cacheRoot().resolve("apicurio-" + version + ".tmp-" + UUID.randomUUID());
    long started = System.nanoTime();
    try {
      TarGz.extract(tarball, staging);
      Files.createFile(staging.resolve(MARKER));
      if (Files.exists(target) && !Files.exists(target.resolve(MARKER))) {
        FileTrees.deleteQuietly(target); // an unpack that died half-way, from an older run
      }
      try {
        Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
      } catch (FileAlreadyExistsException | AtomicMoveNotSupportedException raceLost) {
        // Another JVM finished first, or the file system cannot rename atomically.
        if (!Files.exists(target.resolve(MARKER))) {
          throw raceLost;
        }
      } catch (IOException e) {
        if (!Files.exists(target.resolve(MARKER))) {
          throw e;
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(
          "Cannot unpack " + tarball + " into " + target + ": " + e.getMessage(), e);
    } finally {
      FileTrees.deleteQuietly(staging);
    }
    LOG.info(
        "Unpacked Apicurio Registry {} into {} in {} ms",
        version,
        target,
        (System.nanoTime() - started) / 1_000_000);
    return target;
  }
}

package io.lapse.launcher.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Finding and asking the Debian binaries the contenders run. */
final class Binaries {
  private Binaries() {}

  /** The executable on PATH or in Debian's PostgreSQL directories, or null. */
  static String find(String name) {
    List<Path> dirs = new ArrayList<>();
    for (String d : System.getenv().getOrDefault("PATH", "/usr/bin").split(":")) {
      dirs.add(Path.of(d));
    }
    Path pg = Path.of("/usr/lib/postgresql");
    if (Files.isDirectory(pg)) {
      try (var versions = Files.list(pg)) {
        versions.sorted().forEach(v -> dirs.add(v.resolve("bin")));
      } catch (IOException e) {
        // not there after all
      }
    }
    for (Path d : dirs) {
      Path f = d.resolve(name);
      if (Files.isExecutable(f)) {
        return f.toString();
      }
    }
    return null;
  }

  /** The first line a command prints (e.g. its version). */
  static String output(String... command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    p.waitFor(30, TimeUnit.SECONDS);
    int nl = text.indexOf('\n');
    return nl < 0 ? text : text.substring(0, nl);
  }

  /** Runs a command to its end, failing with its output when it fails. */
  static void run(List<String> command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
      p.destroyForcibly();
      throw new IOException(String.join(" ", command) + " failed: " + text);
    }
  }
}

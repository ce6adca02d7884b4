package io.lapse.service;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import java.util.Set;

/**
 * Where credentials go instead of a log: a file only its owner can read, holding one line {@code
 * ACCOUNT_SID:AUTH_TOKEN} (curl's {@code -u} form, so {@code curl -u "$(cat FILE)"} works).
 *
 * <p>Standard output is no better than a log: in a container, under a service manager or with
 * redirected output it ends up in one. So the standalone service writes credentials it generated
 * here ({@link #standalone}), and {@code ./lapse up} keeps those of a local run in {@code
 * .lapse/credentials}.
 *
 * <p>The file is created with owner-only permissions from the start (a temporary file moved into
 * place), so it is never readable by others, not even for a moment.
 */
public final class CredentialsFile {
  private static final Set<PosixFilePermission> OWNER_ONLY =
      PosixFilePermissions.fromString("rw-------");

  /** What the file holds. */
  public record Credentials(String accountSid, String authToken) {
    /** The token is not part of the text form. */
    @Override
    public String toString() {
      return "Credentials[accountSid=" + accountSid + ", authToken=****]";
    }
  }

  private CredentialsFile() {}

  /**
   * The file of the standalone service on a port: {@code ~/.lapse/} is where standalone Lapse
   * processes keep local state (the expiry processor's default state directory is under it), and
   * the port keeps two instances on one machine apart.
   */
  public static Path standalone(int port) {
    return Path.of(System.getProperty("user.home"), ".lapse")
        .resolve("challenge-service-" + port + ".credentials");
  }

  /** Writes (or replaces) the file, owner-only. */
  public static void write(Path file, String accountSid, String authToken) throws IOException {
    writeOwnerOnly(file, accountSid + ":" + authToken + "\n");
  }

  /** The credentials in the file, if it exists and holds {@code ACCOUNT_SID:AUTH_TOKEN}. */
  public static Optional<Credentials> read(Path file) throws IOException {
    if (!Files.isRegularFile(file)) {
      return Optional.empty();
    }
    String line = Files.readString(file, StandardCharsets.UTF_8).strip();
    int colon = line.indexOf(':');
    if (colon <= 0 || colon == line.length() - 1) {
      return Optional.empty();
    }
    return Optional.of(new Credentials(line.substring(0, colon), line.substring(colon + 1)));
  }

  /**
   * Writes a text file that only its owner can read or write, creating its directory if needed. The
   * content is written to a temporary owner-only file beside it, then moved into place.
   */
  public static void writeOwnerOnly(Path file, String content) throws IOException {
    Path dir = file.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    Path tmp = createOwnerOnlyTemp(dir, file.getFileName().toString());
    try {
      Files.writeString(tmp, content, StandardCharsets.UTF_8);
      try {
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
      }
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  private static Path createOwnerOnlyTemp(Path dir, String name) throws IOException {
    try {
      FileAttribute<Set<PosixFilePermission>> ownerOnly =
          PosixFilePermissions.asFileAttribute(OWNER_ONLY);
      return Files.createTempFile(dir, "." + name, ".tmp", ownerOnly);
    } catch (UnsupportedOperationException notPosix) {
      // Not a POSIX file system (Windows): the file inherits the directory's access list.
      return Files.createTempFile(dir, "." + name, ".tmp");
    }
  }
}

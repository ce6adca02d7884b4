package io.lapse.infra;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/**
 * Unpacks a {@code .tar.gz} with the JDK alone (no commons-compress): ustar, PAX and GNU long
 * names; regular files and directories only, which is all a Quarkus app tarball holds.
 *
 * <p>Responsibility: extraction confined to the target directory (entries escaping it are
 * rejected).
 */
final class TarGz {

  private static final int BLOCK = 512;

  private TarGz() {}

  static void extract(Path archive, Path target) throws IOException {
    Path root = target.toAbsolutePath().normalize();
    Files.createDirectories(root);
    try (DataInputStream in =
        new DataInputStream(
            new BufferedInputStream(
                new GZIPInputStream(Files.newInputStream(archive), 1 << 16), 1 << 16))) {
      byte[] header = new byte[BLOCK];
      String longName = null;
      while (true) {
        try {
          in.readFully(header);
        } catch (EOFException e) {
          return; // Some writers omit the two zero blocks at the end.
        }
        if (isZero(header)) {
          return;
        }
        String name = text(header, 0, 100);
        String prefix = text(header, 345, 155);
        long size = octal(header, 124, 12);
        char type = (char) header[156];
        if (!prefix.isEmpty() && text(header, 257, 6).startsWith("ustar")) {
          name = prefix + "/" + name;
        }
        if (type == 'x' || type == 'L') {
          String value = new String(readPadded(in, size), StandardCharsets.UTF_8);
          longName = type == 'L' ? value.replace("\0", "") : paxPath(value, longName);
          continue;
        }
        if (longName != null) {
          name = longName;
          longName = null;
        }
        Path out = root.resolve(name).normalize();
        if (!out.startsWith(root)) {
          throw new IOException("Tar entry outside the target directory: " + name);
        }
        if (type == '5') {
          Files.createDirectories(out);
        } else if (type == '0' || type == '\0') {
          Files.createDirectories(out.getParent());
          try (OutputStream file = Files.newOutputStream(out)) {
            copy(in, file, size);
          }
          skip(in, padding(size));
        } else {
          skip(in, size + padding(size)); // links, global PAX headers: not needed here
        }
      }
    }
  }

  private static String paxPath(String records, String current) {
    // Records are "<len> <key>=<value>\n"; only the path matters here.
    for (String line : records.split("\n")) {
      int space = line.indexOf(' ');
      if (space > 0 && line.startsWith("path=", space + 1)) {
        return line.substring(space + 1 + "path=".length());
      }
    }
    return current;
  }

  private static byte[] readPadded(DataInputStream in, long size) throws IOException {
    byte[] data = new byte[Math.toIntExact(size)];
    in.readFully(data);
    skip(in, padding(size));
    return data;
  }

  private static void copy(InputStream in, OutputStream out, long size) throws IOException {
    byte[] buffer = new byte[1 << 16];
    long left = size;
    while (left > 0) {
      int n = in.read(buffer, 0, (int) Math.min(buffer.length, left));
      if (n < 0) {
        throw new EOFException("Truncated tar entry");
      }
      out.write(buffer, 0, n);
      left -= n;
    }
  }

  private static void skip(DataInputStream in, long n) throws IOException {
    long left = n;
    while (left > 0) {
      long skipped = in.skip(left);
      if (skipped <= 0) {
        if (in.read() < 0) {
          throw new EOFException("Truncated tar archive");
        }
        skipped = 1;
      }
      left -= skipped;
    }
  }

  private static long padding(long size) {
    return (BLOCK - size % BLOCK) % BLOCK;
  }

  private static boolean isZero(byte[] block) {
    for (byte b : block) {
      if (b != 0) {
        return false;
      }
    }
    return true;
  }

  private static String text(byte[] header, int offset, int length) {
    int end = offset;
    while (end < offset + length && header[end] != 0) {
      end++;
    }
    return new String(header, offset, end - offset, StandardCharsets.UTF_8);
  }

  private static long octal(byte[] header, int offset, int length) {
    String digits = text(header, offset, length).trim();
    return digits.isEmpty() ? 0 : Long.parseLong(digits, 8);
  }
}

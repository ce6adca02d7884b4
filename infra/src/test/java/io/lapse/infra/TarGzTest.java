package io.lapse.infra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TarGzTest {

  @TempDir Path dir;

  @Test
  void shouldExtractDirectoriesFilesAndPaxLongNames() throws IOException {
    String longName = "lib/main/" + "x".repeat(120) + ".jar";
    Path archive =
        tarGz(
            entry("app/", '5', new byte[0]),
            entry("app/quarkus-run.jar", '0', "jar-bytes".getBytes(StandardCharsets.UTF_8)),
            pax(longName),
            entry("lib/main/truncated-name", '0', new byte[1000]),
            entry("bin/link", '2', new byte[0]));

    TarGz.extract(archive, dir.resolve("out"));

    assertThat(dir.resolve("out/app/quarkus-run.jar")).hasContent("jar-bytes");
    assertThat(dir.resolve("out").resolve(longName)).hasSize(1000);
    assertThat(dir.resolve("out/lib/main/truncated-name")).doesNotExist();
    assertThat(dir.resolve("out/bin/link")).doesNotExist();
  }

  @Test
  void shouldRefuseEntriesThatEscapeTheTargetDirectory() throws IOException {
    Path archive = tarGz(entry("../evil.txt", '0', new byte[] {1}));

    assertThatThrownBy(() -> TarGz.extract(archive, dir.resolve("out")))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("outside");
    assertThat(dir.resolve("evil.txt")).doesNotExist();
  }

  private Path tarGz(byte[]... entries) throws IOException {
    Path archive = dir.resolve("test.tar.gz");
    try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(archive))) {
      for (byte[] e : entries) {
        out.write(e);
      }
      out.write(new byte[1024]);
    }
    return archive;
  }

  private static byte[] pax(String path) {
    String record = " path=" + path + "\n";
    int length = record.length() + 3;
    String body = length + record;
    return entry("PaxHeader", 'x', body.getBytes(StandardCharsets.UTF_8));
  }

  /** One ustar header plus its data, padded to 512-byte blocks. */
  private static byte[] entry(String name, char type, byte[] data) {
    byte[] header = new byte[512];
    put(header, 0, name.length() > 100 ? name.substring(0, 100) : name);
    put(header, 100, "0000644");
    put(header, 124, String.format("%011o", data.length));
    put(header, 136, String.format("%011o", 0));
    header[156] = (byte) type;
    put(header, 257, "ustar");
    put(header, 263, "00");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(header);
    out.writeBytes(data);
    out.writeBytes(new byte[(512 - data.length % 512) % 512]);
    return out.toByteArray();
  }

  private static void put(byte[] header, int offset, String value) {
    byte[] bytes = value.getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(bytes, 0, header, offset, bytes.length);
  }
}

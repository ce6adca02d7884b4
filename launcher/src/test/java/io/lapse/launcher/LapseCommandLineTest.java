package io.lapse.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line as a user meets it, with no system running: strict, plain, one line. */
class LapseCommandLineTest {
  @TempDir Path home;
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private PrintStream savedErr;
  private PrintStream savedOut;

  @BeforeEach
  void capture() {
    savedErr = System.err;
    savedOut = System.out;
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
  }

  @AfterEach
  void restore() {
    System.setErr(savedErr);
    System.setOut(savedOut);
  }

  private int run(String... args) {
    return Lapse.run(home, List.of(args), Map.of());
  }

  private String err() {
    return err.toString(StandardCharsets.UTF_8);
  }

  @Test
  void shouldRefuseUnknownCommandsAndArgumentsWithTheUsage() {
    assertThat(run("bogus")).isEqualTo(2);
    assertThat(err()).startsWith("lapse: unknown command: bogus").contains("usage: ./lapse up");

    err.reset();
    assertThat(run("up", "--frsh")).isEqualTo(2);
    assertThat(err()).startsWith("lapse: unknown argument for up: --frsh");

    err.reset();
    assertThat(run("up", "--help")).isEqualTo(2);
    assertThat(err()).startsWith("lapse: unknown argument for up: --help");

    err.reset();
    assertThat(run("status", "--watch", "0")).isEqualTo(2);
    assertThat(run("events", "challenge-expired", "--folow")).isEqualTo(2);
    assertThat(run("timeline")).isEqualTo(2);
    assertThat(run("sdk-demo", "extra")).isEqualTo(2);
    assertThat(run("reseal", "--all")).isEqualTo(2);
    assertThat(run("totp")).isEqualTo(2);

    err.reset();
    assertThat(run("soak", "--help")).isEqualTo(2);
    assertThat(err())
        .startsWith("lapse: unknown argument for soak: --help")
        .contains("./lapse soak [--cycles N]");
    assertThat(run("soak", "--cycles", "many")).isEqualTo(2);
    assertThat(run("load", "--rate", "0")).isEqualTo(2);
    assertThat(run("load", "--count")).isEqualTo(2);
    assertThat(run("load", "--burst", "5")).isEqualTo(2);
    assertThat(run("bench", "--fast")).isEqualTo(2);
  }

  @Test
  void shouldAnswerNotRunningPlainlyForEveryCommandThatNeedsTheSystem() {
    for (List<String> command :
        List.of(
            List.of("events", "challenge-expired"),
            List.of("timeline", "YC" + "0".repeat(32)),
            List.of("status"),
            List.of("status", "--watch", "2"),
            List.of("sdk-demo"),
            List.of("load", "--rate", "100"),
            List.of("reseal"))) {
      err.reset();
      assertThat(Lapse.run(home, command, Map.of())).as("%s", command).isEqualTo(1);
      assertThat(err().lines().toList())
          .as("%s", command)
          .containsExactly(
              "lapse: Lapse is not running here (no live ./lapse up for "
                  + home.getParent()
                  + "); start it with ./lapse up");
    }
  }

  @Test
  void shouldSayWhatIsWrongWithATotpSecretOrASidInOneLine() {
    assertThat(run("totp", "not-base32!")).isEqualTo(1);
    assertThat(err().lines().toList()).containsExactly("lapse: not a Base32 secret: not-base32!");

    err.reset();
    assertThat(run("timeline", "YF123")).isEqualTo(1);
    assertThat(err().lines().toList())
        .containsExactly("lapse: not a challenge SID (YC and 32 hex digits): YF123");
  }

  @Test
  void shouldPrintACodeAndTheUsageOnRequest() {
    assertThat(run("totp", "JBSWY3DPEHPK3PXP")).isEqualTo(0);
    assertThat(out.toString(StandardCharsets.UTF_8).strip()).matches("\\d{6}");

    assertThat(run("help")).isEqualTo(0);
    assertThat(out.toString(StandardCharsets.UTF_8)).contains("./lapse timeline CHALLENGE_SID");
  }

  @Test
  void shouldRefuseASecondUpWhileOneRuns() {
    new RunningSystem(
            ProcessHandle.current().pid(), "http://127.0.0.1:1", "127.0.0.1:2", "http://x", "y")
        .write(home);

    assertThat(run("up")).isEqualTo(1);
    assertThat(err()).contains("already running here").contains("kill ");
  }
}

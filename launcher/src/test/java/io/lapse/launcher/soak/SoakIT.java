package io.lapse.launcher.soak;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A short {@code ./lapse soak}: three broker JVMs, two processor JVMs, two cycles, each SIGKILLing
 * a processor, the second a broker too, under a small load. The soak's own verifier must find
 * nothing lost, duplicated, early or contradictory; the output is printed for the build log. The
 * long run is the README's (docs/decisions/0017-exactly-once-soak.md).
 */
class SoakIT {
  @Test
  void shouldKeepEveryInvariantWhileProcessorsAndABrokerAreKilled() throws Exception {
    SoakArguments arguments = new SoakArguments(2, Duration.ofSeconds(10), 10, 2, 2, 17L);
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(captured, true, StandardCharsets.UTF_8);

    int status = new Soak(Path.of("target", "soak-it").toAbsolutePath(), arguments, out).run();

    String printed = captured.toString(StandardCharsets.UTF_8);
    System.out.print(printed);
    List<String> summaries = printed.lines().filter(l -> l.startsWith("soak: cycles=")).toList();
    assertThat(summaries).hasSize(1);
    assertThat(summaries.get(0))
        .matches(
            "soak: cycles=2 challenges=[1-9][0-9]* lost=0 duplicated=0 early=0 contradictory=0"
                + " max_lateness_ms=[0-9]+");
    assertThat(printed.lines().reduce((a, b) -> b).orElseThrow()).isEqualTo(summaries.get(0));
    assertThat(printed).contains("cycle 2/2: processor").contains("broker");
    assertThat(status).isZero();
  }
}

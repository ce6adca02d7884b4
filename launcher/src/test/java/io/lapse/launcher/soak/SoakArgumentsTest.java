package io.lapse.launcher.soak;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class SoakArgumentsTest {
  @Test
  void shouldDefaultToTheIssuesSoak() {
    SoakArguments a = SoakArguments.parse(List.of());
    assertThat(a.cycles()).isEqualTo(3);
    assertThat(a.cycleLength()).isEqualTo(Duration.ofSeconds(20));
    assertThat(a.rate()).isEqualTo(1_000);
    assertThat(a.processors()).isEqualTo(3);
    assertThat(a.killsBroker(10)).isTrue();
    assertThat(a.killsBroker(9)).isFalse();
  }

  @Test
  void shouldReadEveryOptionInBothSpellings() {
    SoakArguments a =
        SoakArguments.parse(
            List.of(
                "--cycles",
                "50",
                "--cycle-seconds=15",
                "--rate",
                "300",
                "--processors=2",
                "--broker-every",
                "0",
                "--seed",
                "-7"));
    assertThat(a).isEqualTo(new SoakArguments(50, Duration.ofSeconds(15), 300, 2, 0, -7));
    assertThat(a.killsBroker(10)).isFalse();
  }

  @Test
  void shouldRefuseUnknownOrBadArguments() {
    assertThatThrownBy(() -> SoakArguments.parse(List.of("--cycle", "3")))
        .hasMessage("unknown argument for soak: --cycle");
    assertThatThrownBy(() -> SoakArguments.parse(List.of("--cycles")))
        .hasMessage("--cycles needs a number");
    assertThatThrownBy(() -> SoakArguments.parse(List.of("--rate", "fast")))
        .hasMessage("--rate needs a number, got \"fast\"");
    assertThatThrownBy(() -> SoakArguments.parse(List.of("--processors", "5")))
        .hasMessage("--processors must be 2 or 3, got 5");
    assertThatThrownBy(() -> SoakArguments.parse(List.of("--cycles", "0")))
        .hasMessageContaining("--cycles must be between 1");
    assertThatThrownBy(() -> SoakArguments.parse(List.of("3")))
        .hasMessage("unknown argument for soak: 3");
  }
}

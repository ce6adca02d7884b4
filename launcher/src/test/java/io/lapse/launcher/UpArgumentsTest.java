package io.lapse.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class UpArgumentsTest {
  @Test
  void shouldStartOneInProcessBrokerKeepingTheStateByDefault() {
    assertThat(UpArguments.parse(List.of())).isEqualTo(new UpArguments(false, 1));
    assertThat(UpArguments.parse(List.of()).cluster()).isFalse();
  }

  @Test
  void shouldReadTheBrokerCountInEitherFormAndFresh() {
    assertThat(UpArguments.parse(List.of("--brokers", "3"))).isEqualTo(new UpArguments(false, 3));
    assertThat(UpArguments.parse(List.of("--fresh", "--brokers=3")))
        .isEqualTo(new UpArguments(true, 3));
    assertThat(UpArguments.parse(List.of("--brokers", "3")).cluster()).isTrue();
  }

  @Test
  void shouldRefuseUnknownArgumentsNamingThem() {
    assertThatThrownBy(() -> UpArguments.parse(List.of("--frsh")))
        .hasMessage("unknown argument for up: --frsh");
    assertThatThrownBy(() -> UpArguments.parse(List.of("3")))
        .hasMessage("unknown argument for up: 3");
  }

  @Test
  void shouldRefuseAMissingOrImpossibleBrokerCount() {
    assertThatThrownBy(() -> UpArguments.parse(List.of("--brokers")))
        .hasMessage("--brokers needs a number, e.g. --brokers 3");
    assertThatThrownBy(() -> UpArguments.parse(List.of("--brokers=three")))
        .hasMessage("--brokers needs a number, got \"three\"");
    assertThatThrownBy(() -> UpArguments.parse(List.of("--brokers", "0")))
        .hasMessage("--brokers must be between 1 and 5, got 0");
  }
}

package io.lapse.launcher.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class HttpLoadTest {

  @Test
  void shouldUseTheCurrentStepWhenNewerThanTheLastAccepted() {
    assertThat(HttpLoad.nextStep(99, 100)).hasValue(100);
  }

  @Test
  void shouldUseTheNextStepWhenTheCurrentWasAcceptedAlready() {
    assertThat(HttpLoad.nextStep(100, 100)).hasValue(101);
  }

  @Test
  void shouldHaveNoStepWhenTheNextWasAcceptedToo() {
    assertThat(HttpLoad.nextStep(101, 100)).isEmpty();
  }

  @Test
  void shouldNeverOfferAnEarlierStepThanTheCurrent() {
    for (long last = 90; last < 100; last++) {
      assertThat(HttpLoad.nextStep(last, 100).getAsLong()).isGreaterThanOrEqualTo(100);
    }
  }
}

package io.lapse.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import io.lapse.infra.KafkaBroker;
import org.junit.jupiter.api.Test;

/** One of two classes proving that the test JVM shares one broker across test classes. */
@LapseIntegration
class SharedBrokerFirstIT {

  @Test
  void shouldReceiveTheSameBrokerAsEveryOtherTestClass(KafkaBroker broker) {
    SharedBrokerWitness.SEEN.add(broker);

    assertThat(SharedBrokerWitness.SEEN).allSatisfy(seen -> assertThat(seen).isSameAs(broker));
  }
}

package io.lapse.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lapse.testkit.BrokerChoice.Container;
import io.lapse.testkit.BrokerChoice.Engine;
import io.lapse.testkit.BrokerChoice.External;
import io.lapse.testkit.BrokerChoice.InProcess;
import io.lapse.testkit.BrokerChoice.Mode;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

class BrokerChoiceTest {
  private static final String IMAGE = "apache/kafka:4.4.0";
  private static final Optional<String> NO_EXTERNAL = Optional.empty();

  private static Supplier<Engine> engine(Engine e) {
    return () -> e;
  }

  @Test
  void autoShouldUseTheContainerWhenTheEngineHasTheImages() {
    assertThat(BrokerChoice.decide(Mode.AUTO, NO_EXTERNAL, IMAGE, engine(Engine.ready())))
        .isEqualTo(new Container(IMAGE));
  }

  @Test
  void autoShouldFallBackInProcessWithOneLineWhenAnImageCannotBeHad() {
    BrokerChoice.Choice choice =
        BrokerChoice.decide(
            Mode.AUTO, NO_EXTERNAL, IMAGE, engine(Engine.without("testcontainers/ryuk:0.14.0")));

    assertThat(choice).isInstanceOf(InProcess.class);
    assertThat(choice.logLine())
        .isEqualTo(
            "Docker answers but image testcontainers/ryuk:0.14.0 is not present and could not be"
                + " pulled within a few seconds; using the in-process Kafka broker instead");
    assertThat(choice.logLine()).doesNotContain("\n");
  }

  @Test
  void autoShouldUseInProcessQuietlyWithoutAnEngine() {
    assertThat(BrokerChoice.decide(Mode.AUTO, NO_EXTERNAL, IMAGE, engine(Engine.absent())))
        .isEqualTo(new InProcess(Optional.empty()));
  }

  @Test
  void anExternalBrokerShouldWinInAutoAndNeverProbeDocker() {
    AtomicInteger probes = new AtomicInteger();
    Supplier<Engine> counting =
        () -> {
          probes.incrementAndGet();
          return Engine.ready();
        };

    assertThat(BrokerChoice.decide(Mode.AUTO, Optional.of("h:9092"), IMAGE, counting))
        .isEqualTo(new External("h:9092"));
    assertThat(BrokerChoice.decide(Mode.INPROCESS, Optional.of("h:9092"), IMAGE, counting))
        .isEqualTo(new InProcess(Optional.empty()));
    assertThat(probes).hasValue(0);
  }

  @Test
  void anExplicitChoiceThatCannotBeHonouredShouldFailNotFallBack() {
    assertThatThrownBy(
            () -> BrokerChoice.decide(Mode.CONTAINER, NO_EXTERNAL, IMAGE, engine(Engine.absent())))
        .hasMessageContaining("no Docker engine answers");
    assertThatThrownBy(
            () ->
                BrokerChoice.decide(
                    Mode.CONTAINER, NO_EXTERNAL, IMAGE, engine(Engine.without(IMAGE))))
        .hasMessageContaining("image apache/kafka:4.4.0 is not present")
        .hasMessageContaining("LAPSE_TEST_KAFKA_IMAGE");
    assertThatThrownBy(
            () -> BrokerChoice.decide(Mode.EXTERNAL, NO_EXTERNAL, IMAGE, engine(Engine.ready())))
        .hasMessageContaining("LAPSE_TEST_KAFKA_BOOTSTRAP");
  }

  @Test
  void theSwitchShouldAcceptItsFourValuesInAnyCaseAndRefuseOthers() {
    assertThat(Mode.parse(null)).isEqualTo(Mode.AUTO);
    assertThat(Mode.parse(" ")).isEqualTo(Mode.AUTO);
    assertThat(Mode.parse("Container")).isEqualTo(Mode.CONTAINER);
    assertThat(Mode.parse("inprocess")).isEqualTo(Mode.INPROCESS);
    assertThat(Mode.parse("EXTERNAL")).isEqualTo(Mode.EXTERNAL);
    assertThatThrownBy(() -> Mode.parse("docker"))
        .hasMessage(
            "LAPSE_TEST_KAFKA must be one of container, inprocess, external, auto; got \"docker\"");
  }
}

package io.lapse.testkit;

import java.util.Locale;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Which Kafka broker the tests get: the pure decision behind {@link KafkaBrokers#start}, apart from
 * probing Docker, so every rule is tested without an engine.
 *
 * <p>The switch {@value #MODE_ENV} (or {@code -D}{@value #MODE_PROPERTY}) is {@code auto} by
 * default:
 *
 * <ul>
 *   <li>{@code external}: the broker named by {@code LAPSE_TEST_KAFKA_BOOTSTRAP} (required);
 *   <li>{@code inprocess}: Apache Kafka's own KRaft broker in the test JVM, never Docker;
 *   <li>{@code container}: a Testcontainers broker; if no engine answers or the images cannot be
 *       had, the run fails rather than quietly testing something else;
 *   <li>{@code auto}: external if named, else a container when an engine answers and the broker
 *       image (and Ryuk's, unless Ryuk is disabled) can be had within a few seconds, else
 *       in-process, saying why in one line when an engine answered.
 * </ul>
 */
final class BrokerChoice {
  static final String MODE_ENV = "LAPSE_TEST_KAFKA";
  static final String MODE_PROPERTY = "lapse.test.kafka";

  enum Mode {
    AUTO,
    EXTERNAL,
    INPROCESS,
    CONTAINER;

    static Mode parse(String value) {
      if (value == null || value.isBlank()) {
        return AUTO;
      }
      try {
        return Mode.valueOf(value.strip().toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new IllegalStateException(
            MODE_ENV
                + " must be one of container, inprocess, external, auto; got \""
                + value
                + "\"",
            e);
      }
    }
  }

  /** What the Docker probe found. */
  record Engine(boolean answers, Optional<String> missingImage) {
    static Engine absent() {
      return new Engine(false, Optional.empty());
    }

    static Engine ready() {
      return new Engine(true, Optional.empty());
    }

    static Engine without(String image) {
      return new Engine(true, Optional.of(image));
    }
  }

  /** The decision: where the broker comes from, and the one line to log about it. */
  sealed interface Choice {
    String logLine();
  }

  record External(String bootstrap) implements Choice {
    @Override
    public String logLine() {
      return "Using the external Kafka broker at " + bootstrap;
    }
  }

  record Container(String image) implements Choice {
    @Override
    public String logLine() {
      return "Docker found: starting Kafka in a container (" + image + ")";
    }
  }

  /**
   * @param fallbackReason why a container was not used although an engine answered (logged as a
   *     warning), or empty when there was no engine or in-process was asked for
   */
  record InProcess(Optional<String> fallbackReason) implements Choice {
    @Override
    public String logLine() {
      return fallbackReason
          .map(r -> "Docker answers but " + r + "; using the in-process Kafka broker instead")
          .orElse("Using the in-process Kafka broker");
    }
  }

  private BrokerChoice() {}

  /**
   * Decides; {@code engine} is asked only when a container is a candidate (probing takes time).
   *
   * @throws IllegalStateException when the explicit choice cannot be honoured
   */
  static Choice decide(
      Mode mode, Optional<String> externalBootstrap, String image, Supplier<Engine> engine) {
    switch (mode) {
      case EXTERNAL -> {
        return externalBootstrap
            .<Choice>map(External::new)
            .orElseThrow(
                () ->
                    new IllegalStateException(
                        MODE_ENV
                            + "=external needs the broker's address in "
                            + KafkaBrokers.BOOTSTRAP_ENV));
      }
      case INPROCESS -> {
        return new InProcess(Optional.empty());
      }
      case CONTAINER -> {
        Engine e = engine.get();
        if (!e.answers()) {
          throw new IllegalStateException(
              MODE_ENV + "=container but no Docker engine answers (DOCKER_HOST or the socket)");
        }
        if (e.missingImage().isPresent()) {
          throw new IllegalStateException(
              MODE_ENV
                  + "=container but image "
                  + e.missingImage().get()
                  + " is not present and could not be pulled (see "
                  + KafkaBrokers.IMAGE_ENV
                  + ")");
        }
        return new Container(image);
      }
      default -> {
        if (externalBootstrap.isPresent()) {
          return new External(externalBootstrap.get());
        }
        Engine e = engine.get();
        if (!e.answers()) {
          return new InProcess(Optional.empty());
        }
        return e.missingImage()
            .<Choice>map(
                missing ->
                    new InProcess(
                        Optional.of(
                            "image "
                                + missing
                                + " is not present and could not be pulled within a few seconds")))
            .orElseGet(() -> new Container(image));
      }
    }
  }
}

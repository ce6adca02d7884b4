package io.lapse.config;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * A condition a setting's value must meet, with the requirement that an error message states
 * ({@code "HTTP_PORT must be between 0 and 65535, got 70000"}).
 *
 * @param requirement completes "NAME …", e.g. {@code "must be at least 1"}
 * @param test true for a valid value
 * @param <T> the values it applies to
 */
public record Rule<T>(String requirement, Predicate<? super T> test) {
  public Rule {
    Objects.requireNonNull(requirement);
    Objects.requireNonNull(test);
  }

  /** A rule of its own. */
  public static <T> Rule<T> of(String requirement, Predicate<? super T> test) {
    return new Rule<>(requirement, test);
  }

  public static Rule<Number> atLeast(long min) {
    return of("must be at least " + min, n -> n.longValue() >= min);
  }

  public static Rule<Number> between(long min, long max) {
    return of(
        "must be between " + min + " and " + max,
        n -> n.longValue() >= min && n.longValue() <= max);
  }

  public static Rule<Duration> positive() {
    return of("must be positive", d -> !d.isNegative() && !d.isZero());
  }

  public static Rule<Duration> notNegative() {
    return of("must not be negative", d -> !d.isNegative());
  }

  /** Exactly one of the given texts (case matters, as it does where the value ends up). */
  public static Rule<String> oneOf(String... choices) {
    List<String> allowed = List.of(choices);
    return of("must be one of " + String.join(", ", allowed), allowed::contains);
  }

  public static Rule<String> notBlank() {
    return of("must not be blank", s -> !s.isBlank());
  }

  boolean accepts(T value) {
    return test.test(value);
  }
}

package io.lapse.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class PrometheusTextTest {
  private static final String TEXT =
      """
      # HELP lapse_expiry_pending Challenges pending
      # TYPE lapse_expiry_pending gauge
      lapse_expiry_pending 12.0
      lapse_expiry_dead_lettered_total{topic="challenge-created"} 2.0
      lapse_expiry_dead_lettered_total{topic="challenge-responses",reason="a \\"quoted\\", b"} 3.0
      lapse_expiry_lateness_seconds_bucket{le="0.01"} 50
      lapse_expiry_lateness_seconds_bucket{le="0.02"} 90
      lapse_expiry_lateness_seconds_bucket{le="0.1"} 100
      lapse_expiry_lateness_seconds_bucket{le="+Inf"} 100
      lapse_expiry_lateness_seconds_max 0.08
      broken{le="1" 3
      """;

  @Test
  void shouldReadGaugesCountersAndLabelsWithEscapes() {
    PrometheusText metrics = PrometheusText.parse(TEXT);

    assertThat(metrics.value("lapse_expiry_pending", Map.of())).hasValue(12.0);
    assertThat(metrics.sum("lapse_expiry_dead_lettered_total")).hasValue(5.0);
    assertThat(
            metrics.value("lapse_expiry_dead_lettered_total", Map.of("reason", "a \"quoted\", b")))
        .hasValue(3.0);
    assertThat(metrics.sum("absent")).isEmpty();
    assertThat(metrics.samples()).noneMatch(s -> s.name().startsWith("broken"));
  }

  @Test
  void shouldInterpolateQuantilesInsideTheirBucketAsPrometheusDoes() {
    NavigableMap<Double, Double> buckets =
        PrometheusText.parse(TEXT).buckets("lapse_expiry_lateness_seconds");

    // rank 50 of 100 is the last of the first bucket (0–10 ms)
    assertThat(PrometheusText.quantile(buckets, 0.5).getAsDouble()).isCloseTo(0.01, within(1e-9));
    // rank 70: halfway through the 10–20 ms bucket (50 → 90)
    assertThat(PrometheusText.quantile(buckets, 0.7).getAsDouble()).isCloseTo(0.015, within(1e-9));
    // rank 99: 9/10 of the way through 20–100 ms
    assertThat(PrometheusText.quantile(buckets, 0.99).getAsDouble()).isCloseTo(0.092, within(1e-9));
  }

  @Test
  void shouldGiveTheQuantilesOfAnIntervalFromTwoScrapes() {
    NavigableMap<Double, Double> before = new TreeMap<>(Map.of(0.01, 50.0, 0.1, 50.0, 1.0, 50.0));
    NavigableMap<Double, Double> now = new TreeMap<>(Map.of(0.01, 50.0, 0.1, 60.0, 1.0, 60.0));

    NavigableMap<Double, Double> interval = PrometheusText.minus(now, before);

    assertThat(interval).containsEntry(0.01, 0.0).containsEntry(0.1, 10.0);
    assertThat(PrometheusText.quantile(interval, 0.5).getAsDouble()).isCloseTo(0.055, within(1e-9));
    assertThat(PrometheusText.quantile(PrometheusText.minus(now, now), 0.5)).isEmpty();
  }

  @Test
  void statusShouldNeverShowAQuantileAboveTheMaxSeen() {
    assertThat(Status.atMost(java.util.OptionalDouble.of(8.0), java.util.OptionalDouble.of(7.0)))
        .hasValue(7.0);
    assertThat(Status.atMost(java.util.OptionalDouble.of(3.0), java.util.OptionalDouble.of(7.0)))
        .hasValue(3.0);
    assertThat(Status.atMost(java.util.OptionalDouble.of(3.0), java.util.OptionalDouble.empty()))
        .hasValue(3.0);
  }
}

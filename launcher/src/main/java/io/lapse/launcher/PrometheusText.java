package io.lapse.launcher;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * The samples of a Prometheus text exposition (format 0.0.4, what {@code /metrics} serves), enough
 * for {@code ./lapse status} to read a gauge, a counter's sum over its labels, or a quantile
 * without a Prometheus server.
 */
final class PrometheusText {
  /** One sample line: {@code name{labels} value}. */
  record Sample(String name, Map<String, String> labels, double value) {}

  private final List<Sample> samples;

  private PrometheusText(List<Sample> samples) {
    this.samples = samples;
  }

  static PrometheusText parse(String text) {
    List<Sample> samples = new ArrayList<>();
    for (String raw : text.split("\n")) {
      String line = raw.strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      Sample s = sample(line);
      if (s != null) {
        samples.add(s);
      }
    }
    return new PrometheusText(samples);
  }

  List<Sample> samples() {
    return samples;
  }

  /** The first sample of {@code name} whose labels include {@code labels}. */
  OptionalDouble value(String name, Map<String, String> labels) {
    return samples.stream()
        .filter(s -> s.name().equals(name) && s.labels().entrySet().containsAll(labels.entrySet()))
        .mapToDouble(Sample::value)
        .findFirst();
  }

  /** The sum of every sample of {@code name} (a counter over all its label values). */
  OptionalDouble sum(String name) {
    List<Sample> matching = samples.stream().filter(s -> s.name().equals(name)).toList();
    return matching.isEmpty()
        ? OptionalDouble.empty()
        : OptionalDouble.of(matching.stream().mapToDouble(Sample::value).sum());
  }

  private static Sample sample(String line) {
    int brace = line.indexOf('{');
    int space;
    String name;
    Map<String, String> labels = new LinkedHashMap<>();
    if (brace >= 0 && brace < firstSpace(line)) {
      name = line.substring(0, brace);
      int close = labels(line, brace + 1, labels);
      if (close < 0) {
        return null;
      }
      space = close + 1;
    } else {
      space = firstSpace(line);
      if (space < 0) {
        return null;
      }
      name = line.substring(0, space);
    }
    String[] rest = line.substring(space).strip().split("\\s+");
    if (rest.length == 0 || rest[0].isEmpty()) {
      return null;
    }
    try {
      return new Sample(name, Map.copyOf(labels), number(rest[0]));
    } catch (NumberFormatException e) {
      return null;
    }
  }

  /** Reads {@code a="x",b="y"} up to the closing brace; returns its index, or -1 if malformed. */
  private static int labels(String line, int from, Map<String, String> into) {
    int i = from;
    while (i < line.length()) {
      char c = line.charAt(i);
      if (c == '}') {
        return i;
      }
      if (c == ',' || c == ' ') {
        i++;
        continue;
      }
      int eq = line.indexOf('=', i);
      if (eq < 0 || eq + 1 >= line.length() || line.charAt(eq + 1) != '"') {
        return -1;
      }
      String key = line.substring(i, eq).strip();
      StringBuilder value = new StringBuilder();
      int j = eq + 2;
      while (j < line.length() && line.charAt(j) != '"') {
        char v = line.charAt(j);
        if (v == '\\' && j + 1 < line.length()) {
          char next = line.charAt(++j);
          value.append(next == 'n' ? '\n' : next);
        } else {
          value.append(v);
        }
        j++;
      }
      if (j >= line.length()) {
        return -1;
      }
      into.put(key, value.toString());
      i = j + 1;
    }
    return -1;
  }

  private static int firstSpace(String line) {
    int s = line.indexOf(' ');
    return s < 0 ? line.length() : s;
  }

  private static double number(String text) {
    return switch (text) {
      case "+Inf" -> Double.POSITIVE_INFINITY;
      case "-Inf" -> Double.NEGATIVE_INFINITY;
      case "NaN" -> Double.NaN;
      default -> Double.parseDouble(text);
    };
  }

  /**
   * The cumulative buckets of histogram {@code name} ({@code name_bucket{le=…}}), upper bound to
   * count, in bound order.
   */
  java.util.NavigableMap<Double, Double> buckets(String name) {
    java.util.NavigableMap<Double, Double> buckets = new java.util.TreeMap<>();
    for (Sample s : samples) {
      String le = s.labels().get("le");
      if (s.name().equals(name + "_bucket") && le != null) {
        buckets.merge(number(le), s.value(), Double::sum);
      }
    }
    return buckets;
  }

  /**
   * The {@code q} quantile of cumulative buckets, interpolated linearly inside the bucket it falls
   * in, as Prometheus' {@code histogram_quantile} does; empty when the buckets count nothing.
   */
  static OptionalDouble quantile(java.util.NavigableMap<Double, Double> buckets, double q) {
    if (buckets.isEmpty()) {
      return OptionalDouble.empty();
    }
    double total = buckets.lastEntry().getValue();
    if (total <= 0) {
      return OptionalDouble.empty();
    }
    double rank = q * total;
    double lowerBound = 0;
    double lowerCount = 0;
    for (var e : buckets.entrySet()) {
      if (e.getValue() >= rank) {
        if (e.getKey().isInfinite()) {
          return OptionalDouble.of(lowerBound); // beyond the last finite bound: the best known
        }
        double inBucket = e.getValue() - lowerCount;
        double fraction = inBucket <= 0 ? 1 : (rank - lowerCount) / inBucket;
        return OptionalDouble.of(lowerBound + (e.getKey() - lowerBound) * fraction);
      }
      lowerBound = e.getKey();
      lowerCount = e.getValue();
    }
    return OptionalDouble.of(lowerBound);
  }

  /** Bucket counts of {@code now} minus those of {@code before}: the histogram of an interval. */
  static java.util.NavigableMap<Double, Double> minus(
      java.util.NavigableMap<Double, Double> now, java.util.NavigableMap<Double, Double> before) {
    java.util.NavigableMap<Double, Double> delta = new java.util.TreeMap<>();
    now.forEach((le, n) -> delta.put(le, Math.max(0, n - before.getOrDefault(le, 0.0))));
    return delta;
  }
}

package io.lapse.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import io.lapse.expiry.ExpiryMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The Prometheus alert rules in {@code ops/prometheus}: they pass {@code promtool test rules}, and
 * every {@code lapse_expiry_*} series they name is one the processor serves (a renamed metric would
 * otherwise leave an alert silently never firing). The challenge service's and Kafka's series are
 * checked against a running system in {@link OperatorToolsIT}.
 */
class AlertRulesTest {
  static final Path RULES_DIR = Path.of("..", "ops", "prometheus");
  static final Path RULES = RULES_DIR.resolve("lapse-alerts.yml");
  private static final Pattern SERIES = Pattern.compile("\\b((?:lapse|kafka)_[a-z_]+)");

  /** Every metric name the rules use, as written ({@code _bucket} and {@code _total} included). */
  static Set<String> seriesInRules() throws Exception {
    Set<String> names = new TreeSet<>();
    for (String line : Files.readAllLines(RULES)) {
      if (line.strip().startsWith("#")) {
        continue;
      }
      Matcher m = SERIES.matcher(line);
      while (m.find()) {
        names.add(m.group(1));
      }
    }
    return names;
  }

  @Test
  void shouldNameOnlySeriesTheProcessorServes() throws Exception {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    ExpiryMetrics metrics = new ExpiryMetrics(registry);
    // Some counters exist from their first event on: record one of each.
    metrics.expired(1_000, 1_020);
    metrics.deadLettered("challenge-created");
    metrics.untrusted("mac-invalid");
    metrics.untrustedCreate("mac-missing");
    metrics.threadFailed();
    metrics.registryRetried();
    Set<String> served =
        registry
            .scrape()
            .lines()
            .filter(l -> !l.startsWith("#") && !l.isBlank())
            .map(l -> l.split("[{ ]")[0])
            .collect(Collectors.toSet());

    Set<String> expiry =
        seriesInRules().stream()
            .filter(n -> n.startsWith("lapse_expiry_"))
            .collect(Collectors.toSet());

    assertThat(expiry).hasSizeGreaterThanOrEqualTo(5);
    assertThat(served).containsAll(expiry);
  }

  @Test
  void shouldPassPromtoolsOwnTests() throws Exception {
    boolean present =
        java.util.Arrays.stream(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
            .anyMatch(dir -> Files.isExecutable(Path.of(dir, "promtool")));
    if (System.getenv("LAPSE_REQUIRE_PROMTOOL") == null) {
      assumeThat(present).as("promtool (Debian's prometheus package) on PATH").isTrue();
    }
    Process check =
        new ProcessBuilder("promtool", "test", "rules", "lapse-alerts.test.yml")
            .directory(RULES_DIR.toFile())
            .redirectErrorStream(true)
            .start();
    String output = new String(check.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(check.waitFor(60, TimeUnit.SECONDS)).isTrue();

    assertThat(check.exitValue()).as(output).isZero();
    assertThat(output).contains("SUCCESS");
  }
}

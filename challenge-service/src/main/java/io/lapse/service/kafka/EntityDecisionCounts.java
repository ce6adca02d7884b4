package io.lapse.service.kafka;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counts the entity task's decisions on this instance by command and outcome ({@code
 * lapse_entity_decisions_total{command,outcome}}): how often each rule refused, how many
 * verifications were accepted, reused a step, or came for a verified factor.
 */
public final class EntityDecisionCounts {
  private final MeterRegistry registry;
  private final Map<String, LongAdder> byOutcome = new ConcurrentHashMap<>();

  public EntityDecisionCounts(MeterRegistry registry) {
    this.registry = registry;
  }

  /** Notes one decision. */
  void decided(String command, String outcome) {
    Counter.builder("lapse.entity.decisions")
        .description("Commands decided by this instance's entity tasks")
        .tag("command", command)
        .tag("outcome", outcome)
        .register(registry)
        .increment();
    byOutcome.computeIfAbsent(outcome, k -> new LongAdder()).increment();
  }

  /** Every decision on this instance since it started. */
  public long total() {
    return byOutcome.values().stream().mapToLong(LongAdder::sum).sum();
  }

  /** Decisions with this outcome on this instance since it started, whatever the command. */
  public long count(String outcome) {
    LongAdder n = byOutcome.get(outcome);
    return n == null ? 0 : n.sum();
  }
}

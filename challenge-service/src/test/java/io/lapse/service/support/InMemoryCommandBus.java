package io.lapse.service.support;

import io.lapse.commands.v1.CommandReply;
import io.lapse.commands.v1.EntityRecord;
import io.lapse.commands.v1.FactorRecord;
import io.lapse.commands.v1.ServiceRecord;
import io.lapse.contract.AttemptMacKeys;
import io.lapse.events.v1.ChallengeCreated;
import io.lapse.events.v1.NotificationRequested;
import io.lapse.events.v1.VerificationAttempted;
import io.lapse.service.decision.EntityDecider;
import io.lapse.service.decision.EntityDecision;
import io.lapse.service.decision.EntityState;
import io.lapse.service.decision.ServiceDecider;
import io.lapse.service.decision.ServiceDecision;
import io.lapse.service.domain.Catalog;
import io.lapse.service.domain.CommandBus;
import io.lapse.service.kafka.PublishFailedException;
import io.lapse.state.v1.EntitySnapshot;
import io.lapse.state.v1.FactorSnapshot;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeoutException;
import org.apache.avro.specific.SpecificRecord;

/**
 * TEST ONLY: the entity task without a broker, so the HTTP layer and domain can be tested on their
 * own. The rules are the task's own ({@link EntityDecider}); this adapter keeps the task's two
 * stores in sorted maps, decides each command at once, on the caller's thread, with the test clock
 * as the record time, publishes the snapshots to {@link InMemoryLogs} and applies them to the
 * catalog, as the task and this instance's follower would; challenge events go to {@link
 * InMemoryLogs}, TOTP attempts (signed) to the {@link FakeDecider}. The real task runs in the
 * integration tests.
 */
public final class InMemoryCommandBus implements CommandBus {
  private final InMemoryLogs logs;
  private final Catalog catalog;
  private final Clock clock;
  private final FakeDecider arbiter;
  private final AttemptMacKeys macKeys;
  private final EntityDecider decider = new EntityDecider();
  private final Map<String, EntityRecord> entities = new TreeMap<>();
  private final NavigableMap<String, FactorRecord> factors = new TreeMap<>();
  private final ServiceDecider serviceDecider = new ServiceDecider();
  private final Map<String, ServiceRecord> services = new TreeMap<>();
  private final List<SpecificRecord> commands = new CopyOnWriteArrayList<>();
  private volatile boolean silent;

  /**
   * @param arbiter where the TOTP attempts the task writes are decided
   * @param macKeys what the task signs those attempts with
   */
  public InMemoryCommandBus(
      InMemoryLogs logs,
      Catalog catalog,
      Clock clock,
      FakeDecider arbiter,
      AttemptMacKeys macKeys) {
    this.logs = logs;
    this.catalog = catalog;
    this.clock = clock;
    this.arbiter = arbiter;
    this.macKeys = macKeys;
  }

  /** From now on, decide nothing and never answer (the caller's wait times out). */
  public void goSilent() {
    silent = true;
  }

  /** Every command sent, in order. */
  public List<SpecificRecord> commands() {
    return commands;
  }

  @Override
  public synchronized CompletableFuture<CommandReply> send(
      String entityKey, String requestId, SpecificRecord command, Duration timeout) {
    if (logs.failing()) {
      return CompletableFuture.failedFuture(
          new PublishFailedException(
              "lapse-commands", new IllegalStateException("broker unreachable")));
    }
    commands.add(command);
    if (silent) {
      return CompletableFuture.failedFuture(new TimeoutException("no reply in " + timeout));
    }
    if (ServiceDecider.decides(command)) {
      return CompletableFuture.completedFuture(decideService(entityKey, command));
    }
    EntityDecision d = decider.decide(read(entityKey), command, clock.millis());
    apply(entityKey, d);
    return CompletableFuture.completedFuture(d.reply());
  }

  /** The service's task, and the purge every task does (all in one map here). */
  private CommandReply decideService(String sid, SpecificRecord command) {
    ServiceDecision d = serviceDecider.decide(services.get(sid), command, clock.millis());
    if (d.record() != null) {
      services.put(sid, d.record());
    }
    if (d.publish()) {
      catalog.services().apply(sid, logs.writeService(sid, d.snapshot()), d.snapshot());
    }
    if (d.purge()) {
      String prefix = EntityState.servicePrefix(sid);
      TreeSet<String> keys = new TreeSet<>();
      keys.addAll(entities.keySet().stream().filter(k -> k.startsWith(prefix)).toList());
      factors
          .subMap(prefix, true, prefix + Character.MAX_VALUE, false)
          .keySet()
          .forEach(k -> keys.add(EntityState.entityKeyOfFactorKey(k)));
      keys.forEach(k -> apply(k, EntityDecider.purge(read(k))));
    }
    return d.reply();
  }

  private EntityState read(String entityKey) {
    String prefix = EntityState.factorPrefix(entityKey);
    Map<String, FactorRecord> ofEntity = new LinkedHashMap<>();
    factors
        .subMap(prefix, true, prefix + Character.MAX_VALUE, false)
        .forEach((k, v) -> ofEntity.put(k.substring(prefix.length()), v));
    ServiceRecord service = services.get(EntityState.serviceOf(entityKey));
    return new EntityState(
        entities.get(entityKey), ofEntity, service != null && service.getDeletedAt() != null);
  }

  private void apply(String entityKey, EntityDecision d) {
    if (d.entityChanged()) {
      if (d.entity() == null) {
        entities.remove(entityKey);
      } else {
        entities.put(entityKey, d.entity());
      }
    }
    d.factors()
        .forEach(
            (sid, next) -> {
              if (next == null) {
                factors.remove(EntityState.factorKey(entityKey, sid));
              } else {
                factors.put(EntityState.factorKey(entityKey, sid), next);
              }
            });
    for (EntityDecision.Snapshot s : d.snapshots()) {
      if (s.topic() == EntityDecision.SnapshotTopic.ENTITIES) {
        EntitySnapshot e = (EntitySnapshot) s.value();
        catalog.entities().apply(s.sid(), logs.writeEntity(s.sid(), e), e);
      } else {
        FactorSnapshot f = (FactorSnapshot) s.value();
        catalog.factors().apply(s.sid(), logs.writeFactor(s.sid(), f), f);
      }
    }
    for (EntityDecision.ChallengeEvent e : d.events()) {
      switch (e.topic()) {
        case CREATED -> logs.publishCreated((ChallengeCreated) e.value());
        case NOTIFICATIONS -> logs.publishNotification((NotificationRequested) e.value());
        case RESPONSES -> arbiter.deliver(macKeys.sign((VerificationAttempted) e.value()));
      }
    }
  }
}

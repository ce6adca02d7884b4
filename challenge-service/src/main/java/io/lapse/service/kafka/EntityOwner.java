package io.lapse.service.kafka;

import io.lapse.commands.v1.ChallengeRecord;
import io.lapse.commands.v1.CommandReply;
import io.lapse.commands.v1.CommandStatus;
import io.lapse.commands.v1.EntityRecord;
import io.lapse.commands.v1.FactorRecord;
import io.lapse.commands.v1.PurgeService;
import io.lapse.commands.v1.ServiceRecord;
import io.lapse.commands.v1.SettleChallenge;
import io.lapse.contract.AttemptMacKeys;
import io.lapse.contract.TwilioError;
import io.lapse.events.v1.ChallengeCreated;
import io.lapse.events.v1.FactorEvent;
import io.lapse.events.v1.NotificationRequested;
import io.lapse.events.v1.VerificationAttempted;
import io.lapse.service.ServiceConfig;
import io.lapse.service.decision.EntityDecider;
import io.lapse.service.decision.EntityDecision;
import io.lapse.service.decision.EntityState;
import io.lapse.service.decision.FactorEvents;
import io.lapse.service.decision.ServiceDecider;
import io.lapse.service.decision.ServiceDecision;
import io.lapse.state.v1.FactorSnapshot;
import io.lapse.streams.CommitPacer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The single writer of the entities, and of the services, whose keys hash to this task's partition
 * of {@code lapse-commands}: one task, one thread, exactly once. Service commands (keyed by the
 * service SID) go to {@link ServiceDecider}; a deleted service is purged by every task, which then
 * refuses every command of it. For each command it reads the entity key's records, asks {@link
 * EntityDecider} (the rules) what follows at the record's time, and applies the {@link
 * EntityDecision}: the stores, the snapshots on {@code lapse-entities} and {@code lapse-factors}
 * (this task is their only writer, so they follow decision order, tombstone last), the factor
 * events they amount to on {@code lapse-factor-events} ({@link FactorEvents}), the challenge events
 * it decided ({@code challenge-created}, {@code -notifications}, and TOTP attempts on {@code
 * challenge-responses}, signed here), and the reply on {@code lapse-replies}, all in one
 * transaction with the command's offset.
 *
 * <p>A decided command requests a commit at once when it came after a quiet spell ({@link
 * CommitPacer}), so a lone request's waiting edge gets its reply without waiting for the commit
 * interval; commands that arrive in a burst share the transaction the interval ends, since one
 * transaction per command capped a stream thread at a few hundred commands per second (decision
 * 0025).
 */
final class EntityOwner implements Processor<String, SpecificRecord, String, SpecificRecord> {
  private static final Logger LOG = LoggerFactory.getLogger(EntityOwner.class);
  private static final Duration PURGE_INTERVAL = Duration.ofSeconds(30);
  private static final int PURGE_BUDGET = 1_000;
  private static final byte[] NO_VALUE = new byte[0];

  /** The header naming why a record was dead-lettered (as the expiry processor's). */
  static final String HEADER_REASON = "lapse.dlq.reason";

  private final EntityTopology.Names names;
  private final EntityDecider decider = new EntityDecider();
  private final EntityDecisionCounts counts;
  private final AttemptMacKeys macKeys;
  private final AttemptMacKeys challengeKeys;
  private ProcessorContext<String, SpecificRecord> context;
  private KeyValueStore<String, EntityRecord> entities;
  private KeyValueStore<String, FactorRecord> factors;
  private KeyValueStore<String, ServiceRecord> services;
  private final ServiceDecider serviceDecider = new ServiceDecider();
  private final Supplier<CommitPacer> pacer;
  private final long retentionMs;
  private KeyValueStore<String, ChallengeRecord> challenges;
  private KeyValueStore<Bytes, byte[]> timeIndex;
  private KeyValueStore<Bytes, byte[]> order;
  private final CommitPacer settlements =
      new CommitPacer(ServiceConfig.SERVICE_COMMIT_REQUEST_QUIET_GAP.defaultValue().toMillis());

  EntityOwner(
      EntityTopology.Names names,
      EntityDecisionCounts counts,
      AttemptMacKeys macKeys,
      AttemptMacKeys challengeKeys,
      Supplier<CommitPacer> pacer,
      Duration retention) {
    this.names = names;
    this.counts = counts;
    this.macKeys = macKeys;
    this.challengeKeys = challengeKeys;
    this.pacer = pacer;
    this.retentionMs = retention.toMillis();
  }

  @Override
  public void init(ProcessorContext<String, SpecificRecord> context) {
    this.context = context;
    this.entities = context.getStateStore(names.entityStore());
    this.factors = context.getStateStore(names.factorStore());
    this.services = context.getStateStore(names.serviceStore());
    this.challenges = context.getStateStore(names.challengeStore());
    this.timeIndex = context.getStateStore(names.timeIndexStore());
    this.order = context.getStateStore(names.orderStore());
    // Wall-clock time, as the API's read model forgets a challenge: a quiet partition purges too.
    context.schedule(PURGE_INTERVAL, PunctuationType.WALL_CLOCK_TIME, this::purgeChallenges);
  }

  @Override
  public void process(Record<String, SpecificRecord> record) {
    String key = record.key();
    SpecificRecord command = record.value();
    if (key == null || command == null) {
      LOG.warn("Dropping a command without key or value: nobody can be waiting for it");
      return;
    }
    String type = command.getSchema().getName();
    long time = record.timestamp();
    // Asked for every record, decided or not, so the pacer sees every record time of the thread.
    boolean commitNow = pacer.get().arrivedAfterQuiet(time);
    if (command instanceof SettleChallenge settle) {
      settleChallenge(key, settle, record);
      // The relay noted this outcome's time on the thread's pacer already, so that pacer never
      // finds its settlement quiet: ask one of settlements alone. A lone approval's or denial's
      // verification waits for this commit; a burst of them shares the commit interval's.
      boolean loneAnswer = settlements.arrivedAfterQuiet(time) && settle.getAttemptId() != null;
      requestCommitIf(commitNow || loneAnswer);
      return;
    }
    if (ServiceDecider.decides(command)) {
      processService(key, command, type, time);
      requestCommitIf(commitNow);
      return;
    }
    EntityState state = read(key);
    EntityDecision decision;
    try {
      decision = decider.decide(state, command, time);
    } catch (RuntimeException e) {
      // Nothing was written yet: answer it as a fault and move on, rather than fail the task on
      // every retry of the same record.
      LOG.error("Cannot decide {} for {}", type, key, e);
      decision = EntityDecision.failed(internalError(command));
    }
    apply(key, state, decision, time);
    counts.decided(type, decision.outcome());
    requestCommitIf(commitNow);
  }

  private void requestCommitIf(boolean commitNow) {
    if (commitNow) {
      context.commit();
    }
  }

  /**
   * A service command, keyed by the service SID: decided by this task when it owns the SID's
   * partition, or, for a {@code PurgeService}, on every partition: the service is remembered as
   * deleted here, and every entity of it this task holds is purged.
   */
  private void processService(String sid, SpecificRecord command, String type, long time) {
    ServiceDecision d;
    try {
      d = serviceDecider.decide(services.get(sid), command, time);
    } catch (RuntimeException e) {
      LOG.error("Cannot decide {} for {}", type, sid, e);
      d = new ServiceDecision("failed", null, false, null, false, internalError(command));
    }
    if (d.record() != null) {
      services.put(sid, d.record());
    }
    if (d.publish()) {
      context.forward(new Record<>(sid, d.snapshot(), time), names.servicesSink());
    }
    if (command instanceof PurgeService) {
      purgeEntities(sid, time);
    }
    if (d.purge()) {
      // To every partition (the sink's partitioner): each task purges the entities it holds.
      PurgeService purge =
          PurgeService.newBuilder()
              .setRequestId(d.reply().getRequestId())
              .setIssuedAt(Instant.ofEpochMilli(time))
              .setServiceSid(sid)
              .build();
      context.forward(new Record<>(sid, purge, time), names.purgeSink());
    }
    if (d.reply() != null) {
      context.forward(new Record<>(sid, d.reply(), time), names.repliesSink());
    }
    counts.decided(type, d.outcome());
  }

  /** Purges every entity key of the service this task holds: records and snapshots. */
  private void purgeEntities(String serviceSid, long time) {
    String prefix = EntityState.servicePrefix(serviceSid);
    Set<String> keys = new TreeSet<>();
    try (KeyValueIterator<String, EntityRecord> it =
        entities.prefixScan(prefix, Serdes.String().serializer())) {
      it.forEachRemaining(kv -> keys.add(kv.key));
    }
    try (KeyValueIterator<String, FactorRecord> it =
        factors.prefixScan(prefix, Serdes.String().serializer())) {
      it.forEachRemaining(kv -> keys.add(EntityState.entityKeyOfFactorKey(kv.key)));
    }
    for (String key : keys) {
      EntityState state = read(key);
      apply(key, state, EntityDecider.purge(state), time);
    }
    // Their challenges go too, with their order entries (their time index entries then find
    // nothing to purge).
    List<String> challengesOfService = new ArrayList<>();
    try (KeyValueIterator<String, ChallengeRecord> it =
        challenges.prefixScan(prefix, Serdes.String().serializer())) {
      it.forEachRemaining(kv -> challengesOfService.add(kv.key));
    }
    challengesOfService.forEach(this::deleteChallenge);
  }

  private EntityState read(String key) {
    String prefix = EntityState.factorPrefix(key);
    Map<String, FactorRecord> byFactor = new LinkedHashMap<>();
    try (KeyValueIterator<String, FactorRecord> it =
        factors.prefixScan(prefix, Serdes.String().serializer())) {
      it.forEachRemaining(kv -> byFactor.put(kv.key.substring(prefix.length()), kv.value));
    }
    ServiceRecord service = services.get(EntityState.serviceOf(key));
    boolean deleted = service != null && service.getDeletedAt() != null;
    return new EntityState(entities.get(key), byFactor, deleted);
  }

  private void apply(String key, EntityState state, EntityDecision d, long time) {
    if (d.entityChanged()) {
      if (d.entity() == null) {
        entities.delete(key);
      } else {
        entities.put(key, d.entity());
      }
    }
    d.factors()
        .forEach(
            (factorSid, next) -> {
              String factorKey = EntityState.factorKey(key, factorSid);
              if (next == null) {
                factors.delete(factorKey);
              } else {
                factors.put(factorKey, next);
              }
            });
    // Each factor as it stood before this decision, to tell what its snapshots amount to.
    Map<String, FactorSnapshot> before = new HashMap<>();
    state.factors().forEach((sid, r) -> before.put(sid, r.getFactor()));
    for (EntityDecision.Snapshot s : d.snapshots()) {
      if (s.topic() == EntityDecision.SnapshotTopic.ENTITIES) {
        context.forward(new Record<>(s.sid(), s.value(), time), names.entitiesSink());
        continue;
      }
      context.forward(new Record<>(s.sid(), s.value(), time), names.factorsSink());
      FactorSnapshot after = (FactorSnapshot) s.value();
      for (FactorEvent e :
          FactorEvents.between(before.get(s.sid()), after, Instant.ofEpochMilli(time))) {
        context.forward(new Record<>(s.sid(), e, time), names.factorEventsSink());
      }
      before.put(s.sid(), after);
    }
    for (EntityDecision.ChallengeEvent e : d.events()) {
      switch (e.topic()) {
        case CREATED -> {
          ChallengeCreated signed = challengeKeys.sign((ChallengeCreated) e.value());
          storeCreated(key, signed);
          context.forward(new Record<>(e.sid(), signed, time), names.createdSink());
        }
        case RESPONSES ->
            context.forward(
                new Record<>(e.sid(), macKeys.sign((VerificationAttempted) e.value()), time),
                names.responsesSink());
        case NOTIFICATIONS -> {
          storeNotification(key, (NotificationRequested) e.value());
          context.forward(new Record<>(e.sid(), e.value(), time), names.notificationsSink());
        }
      }
    }
    if (d.reply() != null) {
      context.forward(new Record<>(key, d.reply(), time), names.repliesSink());
    }
  }

  /**
   * A created challenge's record, pending, and its purge entry. A create decided again after an
   * aborted transaction finds nothing (the abort rolled the record back with the rest).
   */
  private void storeCreated(String entityKey, ChallengeCreated signed) {
    String recordKey = ChallengeRecords.key(entityKey, signed.getSid());
    if (challenges.get(recordKey) != null) {
      return;
    }
    ChallengeRecord record = ChallengeRecords.created(signed);
    challenges.put(recordKey, record);
    order.put(Bytes.wrap(ChallengeOrder.key(entityKey, record)), ChallengeOrder.value(record));
    long purgeAt = signed.getExpirationDate().toEpochMilli() + retentionMs;
    timeIndex.put(ChallengeRecords.purgeIndexKey(purgeAt, recordKey), NO_VALUE);
  }

  private void storeNotification(String entityKey, NotificationRequested n) {
    String recordKey = ChallengeRecords.key(entityKey, n.getSid());
    ChallengeRecord record = challenges.get(recordKey);
    if (record != null) {
      challenges.put(recordKey, ChallengeRecords.notified(record, n.getNotificationSid()));
    }
  }

  /**
   * An outcome or expiry the relay brought to this entity's task: the record takes the first, a
   * repeat or a later one changes nothing. A challenge this task never stored (created before the
   * store existed, or already purged) is left alone. A settlement the relay did not sign (its MAC
   * under the response keys), addressed to another entity, malformed, or naming another factor than
   * the challenge's, is refused to {@code lapse-commands-dlq} with its reason and changes nothing:
   * only the relay, from the arbiter's outcome, may set a challenge's status.
   *
   * <p>An approval or denial is answered on {@code lapse-replies} ({@link #settledRequestId}) once
   * applied, in the same transaction: the verification that caused it answers only after that
   * reply, so a read from this store right after the verification's 200 shows its outcome
   * (docs/decisions/0009, read-your-writes). Applied or not (a repeat, an unknown challenge), it is
   * answered, so no verification waits for a settlement that will never come; a refused one is not,
   * so a forged settlement cannot release a verification before the relay's own arrives.
   */
  private void settleChallenge(
      String entityKey, SettleChallenge s, Record<String, SpecificRecord> command) {
    String refusal = refusal(entityKey, s);
    String recordKey = ChallengeRecords.key(entityKey, s.getChallengeSid());
    ChallengeRecord record = refusal == null ? challenges.get(recordKey) : null;
    if (refusal == null
        && record != null
        && !record.getCreated().getFactorSid().equals(s.getFactorSid())) {
      refusal = "challenge-mismatch";
    }
    String outcome;
    if (refusal != null) {
      LOG.warn("Refusing a settlement of {} for {}: {}", s.getChallengeSid(), entityKey, refusal);
      context.forward(
          new Record<>(
              entityKey, (SpecificRecord) s, command.timestamp(), refusalHeaders(command, refusal)),
          names.commandsDeadLetterSink());
      outcome = "settle-refused-" + refusal;
    } else if (record == null) {
      outcome = "settle-unknown";
    } else {
      ChallengeRecord next = ChallengeRecords.settled(record, s);
      if (next == record) {
        outcome = "settle-ignored";
      } else {
        challenges.put(recordKey, next);
        order.put(Bytes.wrap(ChallengeOrder.key(entityKey, next)), ChallengeOrder.value(next));
        outcome = "challenge-" + s.getStatus();
      }
    }
    if (refusal == null && s.getAttemptId() != null) {
      context.forward(
          new Record<>(
              entityKey,
              CommandReply.newBuilder()
                  .setRequestId(settledRequestId(s.getAttemptId().toString()))
                  .setStatus(CommandStatus.ACCEPTED)
                  .setCode(0)
                  .setResourceSid(s.getChallengeSid())
                  .build(),
              command.timestamp()),
          names.repliesSink());
    }
    counts.decided(s.getSchema().getName(), outcome);
  }

  /** The request id of the reply to an approval's or denial's settlement by attempt id. */
  static String settledRequestId(String attemptId) {
    return "settled:" + attemptId;
  }

  /** Why a settlement must not be applied, or null: the checks need nothing from the store. */
  private String refusal(String entityKey, SettleChallenge s) {
    switch (macKeys.verify(s)) {
      case MISSING:
        return "mac-missing";
      case KEY_UNKNOWN:
        return "mac-key-unknown";
      case INVALID:
        return "mac-invalid";
      case VALID:
        break;
    }
    if (!entityKey.equals(EntityState.entityKey(s.getServiceSid(), s.getIdentity()))) {
      return "key-not-entity";
    }
    boolean answered =
        ChallengeRecords.APPROVED.equals(s.getStatus())
            || ChallengeRecords.DENIED.equals(s.getStatus());
    boolean wellFormed =
        answered
            ? s.getAttemptId() != null && s.getRespondedAt() != null
            : ChallengeRecords.EXPIRED.equals(s.getStatus()) && s.getAttemptId() == null;
    return wellFormed ? null : "malformed";
  }

  /** The dead-letter headers every Lapse dead-letter topic carries, and the reason. */
  private Headers refusalHeaders(Record<String, SpecificRecord> command, String reason) {
    RecordHeaders headers = new RecordHeaders();
    command.headers().forEach(h -> headers.add(h.key(), h.value()));
    headers.add(DeadLetterWriter.HEADER_EXCEPTION, utf8(EntityOwner.class.getName()));
    headers.add(DeadLetterWriter.HEADER_MESSAGE, utf8("settlement refused: " + reason));
    context
        .recordMetadata()
        .ifPresent(
            m -> {
              headers.add(DeadLetterWriter.HEADER_TOPIC, utf8(m.topic()));
              headers.add(DeadLetterWriter.HEADER_PARTITION, utf8(String.valueOf(m.partition())));
              headers.add(DeadLetterWriter.HEADER_OFFSET, utf8(String.valueOf(m.offset())));
            });
    headers.add(HEADER_REASON, utf8(reason));
    headers.add(DeadLetterWriter.HEADER_DEAD_LETTERED_BY, utf8("challenge-service entity-task"));
    return headers;
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** A challenge record and its order entry. */
  private void deleteChallenge(String recordKey) {
    ChallengeRecord record = challenges.get(recordKey);
    if (record == null) {
      return;
    }
    challenges.delete(recordKey);
    String entityKey = recordKey.substring(0, recordKey.lastIndexOf('/'));
    order.delete(Bytes.wrap(ChallengeOrder.key(entityKey, record)));
  }

  /**
   * Removes the challenge records whose retention has ended, oldest first, at most {@value
   * #PURGE_BUDGET} per run (the rest on the next run), with their index entries.
   */
  private void purgeChallenges(long now) {
    List<Bytes> due = new ArrayList<>();
    try (KeyValueIterator<Bytes, byte[]> it = timeIndex.all()) {
      while (it.hasNext() && due.size() < PURGE_BUDGET) {
        Bytes k = it.next().key;
        if (ChallengeRecords.purgeAtOf(k) > now) {
          break;
        }
        due.add(k);
      }
    }
    for (Bytes k : due) {
      deleteChallenge(ChallengeRecords.recordKeyOf(k));
      timeIndex.delete(k);
    }
    if (!due.isEmpty()) {
      counts.decided("PurgeChallenges", "challenges-purged");
    }
  }

  private static CommandReply internalError(SpecificRecord command) {
    Object id =
        command instanceof GenericRecord g && g.hasField("requestId") ? g.get("requestId") : null;
    return CommandReply.newBuilder()
        .setRequestId(id == null ? "" : id.toString())
        .setStatus(CommandStatus.REJECTED)
        .setCode(TwilioError.INTERNAL_SERVER_ERROR.code())
        .setReason(TwilioError.INTERNAL_SERVER_ERROR.message())
        .build();
  }
}

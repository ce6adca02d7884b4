package io.lapse.service.kafka;

import io.lapse.commands.v1.ReleaseTotpStep;
import io.lapse.commands.v1.SettleChallenge;
import io.lapse.contract.AttemptMacKeys;
import io.lapse.events.v1.VerificationRejected;
import io.lapse.service.decision.EntityState;
import io.lapse.streams.CommitPacer;
import java.util.function.Supplier;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/**
 * Tells the entity tasks how their challenges ended: each approval or denial on {@code
 * challenge-outcomes} and each expiry on {@code challenge-expired} (both keyed by challenge SID)
 * becomes a {@link SettleChallenge} on {@code lapse-commands}, keyed by its entity, which the
 * entity's task applies to its {@code challenge-records} store (docs/decisions/0009: challenge SIDs
 * are not homed to their entity's partition, so these topics are not co-partitioned with the
 * commands and cannot be read by the entity task itself).
 *
 * <p>It also tells the entity tasks which attempts the arbiter refused: each {@code
 * VerificationRejected} on {@code challenge-outcomes} (keyed by challenge SID) becomes a {@link
 * ReleaseTotpStep} on {@code lapse-commands}, keyed by its entity, where the entity's task gives
 * back the time step the attempt claimed (a code sent to an answered or expired challenge must not
 * burn its step). Rejections of attempts that claimed nothing, push ones included, are ignored
 * there: only the task knows which attempts claimed. Runs in the entity tasks' own application,
 * exactly once, so no rejection is relayed twice or lost; why the task learns it this way:
 * docs/decisions/0008-single-writers-on-the-log.md.
 */
final class OutcomeRelay implements Processor<String, SpecificRecord, String, SpecificRecord> {
  private final String commandsSink;
  private final AttemptMacKeys macKeys;
  private final Supplier<CommitPacer> pacer;
  private ProcessorContext<String, SpecificRecord> context;

  /**
   * @param macKeys the response MAC keys each settlement is signed with ({@link
   *     io.lapse.contract.SettleMac}): the entity task applies no settlement without it
   * @param pacer the stream thread's pacer: a lone approval or denial requests its commit at once,
   *     since its verification waits until the entity task has applied it
   */
  OutcomeRelay(String commandsSink, AttemptMacKeys macKeys, Supplier<CommitPacer> pacer) {
    this.commandsSink = commandsSink;
    this.macKeys = macKeys;
    this.pacer = pacer;
  }

  @Override
  public void init(ProcessorContext<String, SpecificRecord> context) {
    this.context = context;
  }

  @Override
  public void process(Record<String, SpecificRecord> record) {
    SettleChallenge settle = ChallengeRecords.settle(record.value());
    if (settle != null) {
      context.forward(
          new Record<>(
              EntityState.entityKey(settle.getServiceSid(), settle.getIdentity()),
              macKeys.sign(settle),
              record.timestamp()),
          commandsSink);
      boolean quiet = pacer.get().arrivedAfterQuiet(record.timestamp());
      if (quiet && settle.getAttemptId() != null) {
        context.commit();
      }
      return;
    }
    if (!(record.value() instanceof VerificationRejected r)) {
      return; // counted wrong codes change nothing the task keeps
    }
    ReleaseTotpStep release =
        ReleaseTotpStep.newBuilder()
            .setRequestId(r.getAttemptId())
            .setIssuedAt(r.getDecidedAt())
            .setServiceSid(r.getServiceSid())
            .setIdentity(r.getIdentity())
            .setFactorSid(r.getFactorSid())
            .setChallengeSid(r.getSid())
            .setCode(r.getCode())
            .build();
    context.forward(
        new Record<>(
            EntityState.entityKey(r.getServiceSid(), r.getIdentity()), release, record.timestamp()),
        commandsSink);
  }
}

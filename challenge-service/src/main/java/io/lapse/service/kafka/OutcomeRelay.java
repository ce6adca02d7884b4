package io.lapse.service.kafka;

import io.lapse.commands.v1.ReleaseTotpStep;
import io.lapse.events.v1.VerificationRejected;
import io.lapse.service.decision.EntityState;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/**
 * Tells the entity tasks which attempts the arbiter refused: each {@code VerificationRejected} on
 * {@code challenge-outcomes} (keyed by challenge SID) becomes a {@link ReleaseTotpStep} on {@code
 * lapse-commands}, keyed by its entity, where the entity's task gives back the time step the
 * attempt claimed (a code sent to an answered or expired challenge must not burn its step).
 * Rejections of attempts that claimed nothing, push ones included, are ignored there: only the task
 * knows which attempts claimed. Runs in the entity tasks' own application, exactly once, so no
 * rejection is relayed twice or lost; why the task learns it this way:
 * docs/decisions/0008-single-writers-on-the-log.md.
 */
final class OutcomeRelay implements Processor<String, SpecificRecord, String, SpecificRecord> {
  private final String commandsSink;
  private ProcessorContext<String, SpecificRecord> context;

  OutcomeRelay(String commandsSink) {
    this.commandsSink = commandsSink;
  }

  @Override
  public void init(ProcessorContext<String, SpecificRecord> context) {
    this.context = context;
  }

  @Override
  public void process(Record<String, SpecificRecord> record) {
    if (!(record.value() instanceof VerificationRejected r)) {
      return; // approvals, denials and counted wrong codes release nothing
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

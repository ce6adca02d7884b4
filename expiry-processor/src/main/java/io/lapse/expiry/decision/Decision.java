package io.lapse.expiry.decision;

import io.lapse.expiry.state.ArbiterRecord;
import java.util.List;
import org.apache.avro.specific.SpecificRecord;

/**
 * What {@link Arbitration} decided for one event of one challenge: the record to store and the
 * events to emit, plus what the caller needs for its bookkeeping.
 *
 * <p>A decision never deletes a record: settled records leave the store only through the retention
 * purge.
 *
 * @param next the challenge's record after the event (the one given when {@code changed} is false)
 * @param changed whether {@code next} must be stored (false: write nothing)
 * @param emitted the events to publish, in order: {@code ChallengeExpired} to the expired topic,
 *     every other record to the outcomes topic
 * @param pendingDelta the change in the number of pending challenges (+1 created, −1 settled)
 * @param labels one metrics label per decision taken (approved, rejected-60308, expired,
 *     duplicate-created, …)
 */
public record Decision(
    ArbiterRecord next,
    boolean changed,
    List<SpecificRecord> emitted,
    int pendingDelta,
    List<String> labels) {

  public Decision {
    emitted = List.copyOf(emitted);
    labels = List.copyOf(labels);
  }
}

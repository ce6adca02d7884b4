package io.lapse.service.decision;

import io.lapse.commands.v1.CommandReply;
import io.lapse.commands.v1.EntityRecord;
import io.lapse.commands.v1.FactorRecord;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;

/**
 * What {@link EntityDecider} decided for one command: the store changes, the snapshots and
 * challenge events to publish (in this order), the reply, and a label for metrics. A refused
 * command changes nothing, except a failed push verification, which counts and is refused.
 *
 * @param outcome a short label of what happened ({@code entity-created}, {@code wrong-code}, {@code
 *     rejected-60301}, …), for metrics and logs
 * @param entityChanged whether the entity record is to be written
 * @param entity the entity record to write when {@code entityChanged}; null deletes it
 * @param factors factor SID → the factor record to write; a null value deletes it
 * @param snapshots the snapshots to publish, in order
 * @param events the challenge events to publish after the snapshots, in order (an attempt unsigned:
 *     the task signs it)
 * @param reply the answer to the command; null for a command nobody waits for (a {@code
 *     ReleaseTotpStep} from the outcome relay)
 */
public record EntityDecision(
    String outcome,
    boolean entityChanged,
    EntityRecord entity,
    Map<String, FactorRecord> factors,
    List<Snapshot> snapshots,
    List<ChallengeEvent> events,
    CommandReply reply) {

  public EntityDecision {
    factors = Collections.unmodifiableMap(new LinkedHashMap<>(factors));
    snapshots = List.copyOf(snapshots);
    events = List.copyOf(events);
  }

  /** A decision that publishes snapshots only. */
  public EntityDecision(
      String outcome,
      boolean entityChanged,
      EntityRecord entity,
      Map<String, FactorRecord> factors,
      List<Snapshot> snapshots,
      CommandReply reply) {
    this(outcome, entityChanged, entity, factors, snapshots, List.of(), reply);
  }

  /** The compacted topic a snapshot goes to. */
  public enum SnapshotTopic {
    ENTITIES,
    FACTORS
  }

  /**
   * A snapshot to publish, keyed by its resource SID; a null value is a tombstone.
   *
   * @param topic lapse-entities or lapse-factors
   * @param sid the resource SID (the record key)
   * @param value the snapshot, null for a tombstone
   */
  public record Snapshot(SnapshotTopic topic, String sid, SpecificRecord value) {}

  /** The challenge topic an event goes to. */
  public enum ChallengeTopic {
    /** challenge-created: ChallengeCreated. */
    CREATED,
    /** challenge-responses: VerificationAttempted, signed by the task before it is written. */
    RESPONSES,
    /** challenge-notifications: NotificationRequested. */
    NOTIFICATIONS
  }

  /**
   * A challenge event to publish, keyed by its challenge SID.
   *
   * @param topic the topic
   * @param sid the challenge SID (the record key)
   * @param value the event
   */
  public record ChallengeEvent(ChallengeTopic topic, String sid, SpecificRecord value) {}

  /** A command that could not be decided (a fault): nothing changes, the reply says so. */
  public static EntityDecision failed(CommandReply reply) {
    return refused("failed", reply);
  }

  /** A refusal: nothing changes, nothing is published. */
  static EntityDecision refused(String outcome, CommandReply reply) {
    return new EntityDecision(outcome, false, null, Map.of(), List.of(), List.of(), reply);
  }
}

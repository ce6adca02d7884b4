package io.lapse.expiry.state;

import java.util.Map;

/**
 * The answer the processor gave to one attempt, kept so that the same attempt id submitted again
 * (an SDK retry) gets a record with identical content, and is counted once.
 *
 * @param attemptId the attempt answered
 * @param kind which outcome record was emitted
 * @param decidedAt the processor's clock when it decided
 * @param respondedAt the accepted attempt time (approved/denied), else 0
 * @param number failed-attempt count ({@link Kind#FAILED}) or Twilio code ({@link Kind#REJECTED})
 * @param metadata the attempt's metadata (approved/denied), or null
 */
public record Answer(
    String attemptId,
    Kind kind,
    long decidedAt,
    long respondedAt,
    int number,
    Map<String, String> metadata) {

  /** The outcome record type an answer stands for. */
  public enum Kind {
    APPROVED,
    DENIED,
    FAILED,
    REJECTED
  }

  public Answer {
    metadata = metadata == null ? null : Map.copyOf(metadata);
  }

  public static Answer approved(
      String attemptId, long decidedAt, long respondedAt, Map<String, String> metadata) {
    return new Answer(attemptId, Kind.APPROVED, decidedAt, respondedAt, 0, metadata);
  }

  public static Answer denied(
      String attemptId, long decidedAt, long respondedAt, Map<String, String> metadata) {
    return new Answer(attemptId, Kind.DENIED, decidedAt, respondedAt, 0, metadata);
  }

  public static Answer failed(String attemptId, long decidedAt, int failedAttempts) {
    return new Answer(attemptId, Kind.FAILED, decidedAt, 0, failedAttempts, null);
  }

  public static Answer rejected(String attemptId, long decidedAt, int code) {
    return new Answer(attemptId, Kind.REJECTED, decidedAt, 0, code, null);
  }
}

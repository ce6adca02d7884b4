package io.lapse.expiry.state;

import io.lapse.contract.TwilioError;
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

  /**
   * The outcome record type an answer stands for. Each kind is stored as its {@link #code()}, which
   * never changes once released: a new kind takes a new code, whatever its place here.
   */
  public enum Kind {
    APPROVED(0),
    DENIED(1),
    FAILED(2),
    REJECTED(3);

    private final byte code;

    Kind(int code) {
      this.code = (byte) code;
    }

    /** The byte this kind is stored as. */
    public byte code() {
      return code;
    }

    /**
     * The kind stored as {@code code}.
     *
     * @throws IllegalArgumentException for a code no kind has (a newer writer, or corruption)
     */
    public static Kind fromCode(byte code) {
      for (Kind k : values()) {
        if (k.code == code) {
          return k;
        }
      }
      throw new IllegalArgumentException("Unknown answer kind code " + code);
    }
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

  public static Answer rejected(String attemptId, long decidedAt, TwilioError error) {
    return new Answer(attemptId, Kind.REJECTED, decidedAt, 0, error.code(), null);
  }
}

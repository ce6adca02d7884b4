package io.lapse.launcher.soak;

import io.lapse.events.v1.AttemptOutcome;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The soak's judge: given what was sent (every challenge and attempt the brokers acknowledged) and
 * what a {@code read_committed} reader saw on {@code challenge-outcomes} and {@code
 * challenge-expired}, counts the challenges that break an invariant of docs/architecture.md. Pure:
 * no Kafka, no clock, so a unit test can hand it each kind of violation.
 *
 * <p>A challenge counts once per kind of violation, however many of its events are wrong:
 *
 * <ul>
 *   <li><b>lost</b>: no terminal event (approved, denied or expired), or one of its attempts got no
 *       answer at all;
 *   <li><b>duplicated</b>: a terminal event of one kind seen twice, or an attempt answered twice;
 *   <li><b>early</b>: expired before its {@code expirationDate}, by the processor's {@code
 *       expiredAt} or by the time the reader saw it;
 *   <li><b>contradictory</b>: two kinds of terminal event (approved and expired, …); an approval or
 *       denial that no attempt sent before the deadline asked for; an attempt answered with another
 *       outcome than it carried, or a late attempt (sent at or after the deadline) not refused.
 * </ul>
 *
 * <p>Events about challenges or attempts it was not told about (a send whose acknowledgement was
 * lost, so the soak does not know whether it was written) are counted apart, never judged.
 */
public final class SoakVerifier {
  private static final int EXAMPLES = 5;

  /** A challenge whose ChallengeCreated the brokers acknowledged. */
  public record SentChallenge(String sid, long deadline) {}

  /**
   * An acknowledged VerificationAttempted.
   *
   * @param attemptAt the time it carries (the sender's clock when it was sent)
   */
  public record SentAttempt(String sid, String attemptId, AttemptOutcome outcome, long attemptAt) {}

  /** What kind of record the reader saw. */
  public enum Kind {
    APPROVED,
    DENIED,
    EXPIRED,
    /** VerificationFailed: a wrong code, the challenge still pending. */
    FAILED,
    /** VerificationRejected: the attempt refused (late, already answered, …). */
    REJECTED;

    boolean terminal() {
      return this == APPROVED || this == DENIED || this == EXPIRED;
    }
  }

  /**
   * One record as the reader saw it.
   *
   * @param attemptId the attempt it answers (null for EXPIRED)
   * @param decidedAt the processor's time on the record ({@code expiredAt} for EXPIRED)
   * @param seenAt when the reader received it
   */
  public record Observed(String sid, Kind kind, String attemptId, long decidedAt, long seenAt) {}

  private SoakVerifier() {}

  /** Judges a run. */
  public static SoakVerdict verify(
      Collection<SentChallenge> challenges,
      Collection<SentAttempt> attempts,
      Collection<Observed> observed) {
    Map<String, SentChallenge> bySid = new HashMap<>();
    challenges.forEach(c -> bySid.put(c.sid(), c));
    Map<String, SentAttempt> byAttempt = new HashMap<>();
    Map<String, List<SentAttempt>> attemptsBySid = new HashMap<>();
    for (SentAttempt a : attempts) {
      if (bySid.containsKey(a.sid())) {
        byAttempt.put(a.attemptId(), a);
        attemptsBySid.computeIfAbsent(a.sid(), k -> new ArrayList<>()).add(a);
      }
    }
    Map<String, List<Observed>> terminalsBySid = new HashMap<>();
    Map<String, List<Observed>> answersByAttempt = new HashMap<>();
    int foreign = 0;
    for (Observed o : observed) {
      boolean known =
          bySid.containsKey(o.sid())
              && (o.attemptId() == null || byAttempt.containsKey(o.attemptId()));
      if (!known) {
        foreign++;
        continue;
      }
      if (o.kind().terminal()) {
        terminalsBySid.computeIfAbsent(o.sid(), k -> new ArrayList<>()).add(o);
      }
      if (o.attemptId() != null) {
        answersByAttempt.computeIfAbsent(o.attemptId(), k -> new ArrayList<>()).add(o);
      }
    }

    Set<String> lost = new TreeSet<>();
    Set<String> duplicated = new TreeSet<>();
    Set<String> early = new TreeSet<>();
    Set<String> contradictory = new TreeSet<>();
    Map<Kind, Integer> ends = new EnumMap<>(Kind.class);
    int unanswered = 0;
    List<Long> lateness = new ArrayList<>();

    for (SentChallenge c : bySid.values()) {
      List<Observed> terminals = terminalsBySid.getOrDefault(c.sid(), List.of());
      if (terminals.isEmpty()) {
        lost.add(c.sid());
      }
      Map<Kind, Integer> kinds = new EnumMap<>(Kind.class);
      terminals.forEach(t -> kinds.merge(t.kind(), 1, Integer::sum));
      if (kinds.values().stream().anyMatch(n -> n > 1)) {
        duplicated.add(c.sid());
      }
      if (kinds.size() > 1) {
        contradictory.add(c.sid());
      }
      if (kinds.size() == 1) {
        ends.merge(kinds.keySet().iterator().next(), 1, Integer::sum);
      }
      Observed firstExpiry = null;
      for (Observed t : terminals) {
        if (t.kind() == Kind.EXPIRED) {
          if (t.decidedAt() < c.deadline() || t.seenAt() < c.deadline()) {
            early.add(c.sid());
          }
          if (firstExpiry == null || t.seenAt() < firstExpiry.seenAt()) {
            firstExpiry = t;
          }
        } else if (!askedOnTime(t, byAttempt.get(t.attemptId()), c)) {
          contradictory.add(c.sid());
        }
      }
      if (firstExpiry != null) {
        lateness.add(firstExpiry.seenAt() - c.deadline());
      }
      for (SentAttempt a : attemptsBySid.getOrDefault(c.sid(), List.of())) {
        List<Observed> answers = answersByAttempt.getOrDefault(a.attemptId(), List.of());
        if (answers.isEmpty()) {
          unanswered++;
          lost.add(c.sid());
        } else if (answers.size() > 1) {
          duplicated.add(c.sid());
        }
        for (Observed answer : answers) {
          if (!answerFits(answer, a, c)) {
            contradictory.add(c.sid());
          }
        }
      }
    }
    long[] sorted = lateness.stream().mapToLong(Long::longValue).toArray();
    Arrays.sort(sorted);
    return new SoakVerdict(
        bySid.size(),
        byAttempt.size(),
        count(ends, Kind.APPROVED),
        count(ends, Kind.DENIED),
        count(ends, Kind.EXPIRED),
        lost.size(),
        unanswered,
        duplicated.size(),
        early.size(),
        contradictory.size(),
        foreign,
        sorted.length == 0 ? 0 : sorted[sorted.length / 2],
        sorted.length == 0 ? 0 : sorted[(int) Math.min(sorted.length - 1, sorted.length * 0.99)],
        sorted.length == 0 ? 0 : sorted[sorted.length - 1],
        examples(lost, duplicated, early, contradictory),
        List.copyOf(lost));
  }

  /** An approval or denial must answer an attempt of this challenge, of that outcome, on time. */
  private static boolean askedOnTime(Observed terminal, SentAttempt asked, SentChallenge c) {
    if (asked == null || !asked.sid().equals(c.sid()) || asked.attemptAt() >= c.deadline()) {
      return false;
    }
    return terminal.kind() == Kind.APPROVED
        ? asked.outcome() == AttemptOutcome.APPROVED
        : asked.outcome() == AttemptOutcome.DENIED;
  }

  /**
   * A refusal fits any attempt (expired first, already answered, too many failures); otherwise the
   * answer must be the attempt's own outcome, and a late attempt must be refused.
   */
  private static boolean answerFits(Observed answer, SentAttempt a, SentChallenge c) {
    if (answer.kind() == Kind.REJECTED) {
      return true;
    }
    if (a.attemptAt() >= c.deadline()) {
      return false;
    }
    switch (a.outcome()) {
      case APPROVED:
        return answer.kind() == Kind.APPROVED;
      case DENIED:
        return answer.kind() == Kind.DENIED;
      default:
        return answer.kind() == Kind.FAILED;
    }
  }

  private static int count(Map<Kind, Integer> counts, Kind kind) {
    return counts.getOrDefault(kind, 0);
  }

  private static List<String> examples(
      Set<String> lost, Set<String> duplicated, Set<String> early, Set<String> contradictory) {
    List<String> examples = new ArrayList<>();
    lost.stream().limit(EXAMPLES).forEach(s -> examples.add("lost " + s));
    duplicated.stream().limit(EXAMPLES).forEach(s -> examples.add("duplicated " + s));
    early.stream().limit(EXAMPLES).forEach(s -> examples.add("early " + s));
    contradictory.stream().limit(EXAMPLES).forEach(s -> examples.add("contradictory " + s));
    return examples;
  }
}

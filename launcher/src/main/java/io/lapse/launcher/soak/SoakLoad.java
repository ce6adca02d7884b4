package io.lapse.launcher.soak;

import io.lapse.contract.AttemptMacKeys;
import io.lapse.events.v1.AttemptOutcome;
import io.lapse.events.v1.ChallengeCreated;
import io.lapse.events.v1.VerificationAttempted;
import io.lapse.launcher.soak.SoakVerifier.SentAttempt;
import io.lapse.launcher.soak.SoakVerifier.SentChallenge;
import io.lapse.service.domain.AttemptSigner;
import io.lapse.service.kafka.EventProducer;
import io.lapse.topics.LapseTopics;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.PriorityBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The soak's load: challenges created at a steady rate and the verifications their devices send,
 * written as the challenge service writes them, through its own {@link EventProducer} (idempotent,
 * {@code acks=all}) and {@link AttemptSigner} (attempt ids and MACs), on one thread of its own.
 *
 * <p>Each challenge lives 3 to 8 s and is given, at random: an approval before its deadline (30 %),
 * a denial before it (10 %), a wrong code and then an approval (10 %), a wrong code alone (10 %),
 * an approval up to a second after its deadline (10 %), or nothing (30 %). Attempts are scheduled
 * from the moment the create was acknowledged, as a device only sees a challenge the service
 * created; each carries its real send time, so one sent late because the brokers were slow is
 * judged as late. Only acknowledged sends are handed to the verifier; a rate the machine cannot
 * keep is not caught up on later (more than a second behind is dropped) but shows in {@link
 * #createsAcked()}.
 */
final class SoakLoad implements AutoCloseable {
  static final String SERVICE_SID = "VA50a50a50a50a50a50a50a50a50a50a5";
  static final String ENTITY_SID = "YE50a50a50a50a50a50a50a50a50a50a5";
  static final String FACTOR_SID = "YF50a50a50a50a50a50a50a50a50a50a5";
  static final String IDENTITY = "soak-user";
  private static final int MIN_LIFETIME_MS = 3_000;
  private static final int LIFETIME_SPREAD_MS = 5_000;

  private record Scheduled(long at, String sid, long deadline, AttemptOutcome outcome)
      implements Comparable<Scheduled> {
    @Override
    public int compareTo(Scheduled o) {
      return Long.compare(at, o.at);
    }
  }

  private final EventProducer producer;
  private final LapseTopics topics;
  private final AttemptSigner signer;
  // The processor takes only signed creates (docs/decisions/0020-signed-challenge-creates.md).
  private final AttemptMacKeys createKeys;
  private final int rate;
  private final Random random;
  private final String run;
  private final PriorityBlockingQueue<Scheduled> due = new PriorityBlockingQueue<>();
  private final Map<String, SentChallenge> challenges = new ConcurrentHashMap<>();
  private final ConcurrentLinkedQueue<SentAttempt> attempts = new ConcurrentLinkedQueue<>();
  private final AtomicLong createsAcked = new AtomicLong();
  private final AtomicLong failedSends = new AtomicLong();
  private final AtomicLong dropped = new AtomicLong();
  private final AtomicInteger inFlight = new AtomicInteger();
  private final AtomicBoolean creating = new AtomicBoolean(true);
  private final AtomicBoolean stopped = new AtomicBoolean();
  private final Thread thread;
  private volatile RuntimeException failure;
  private long sequence;

  SoakLoad(
      EventProducer producer,
      LapseTopics topics,
      AttemptSigner signer,
      AttemptMacKeys createKeys,
      int rate,
      long seed) {
    this.createKeys = createKeys;
    this.producer = producer;
    this.topics = topics;
    this.signer = signer;
    this.rate = rate;
    this.random = new Random(seed);
    this.run = String.format("%08x", random.nextInt());
    this.thread = new Thread(this::run, "lapse-soak-load");
    thread.setDaemon(true);
    thread.start();
  }

  private void run() {
    try {
      long start = System.nanoTime();
      long created = 0;
      while (!stopped.get()) {
        if (creating.get()) {
          long target = (System.nanoTime() - start) * rate / 1_000_000_000L;
          if (target - created > rate) {
            // More than a second behind: the machine cannot keep this rate. Say so, don't burst.
            dropped.addAndGet(target - created - rate / 10);
            created = target - rate / 10;
          }
          for (; created < target; created++) {
            create();
          }
        } else if (due.isEmpty() && inFlight.get() == 0) {
          return;
        }
        sendDueAttempts();
        TimeUnit.MILLISECONDS.sleep(5); // the feed's pace, not a wait for anything
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      failure = e;
    }
  }

  private void create() {
    String sid = "YC" + run + String.format("%024x", sequence++);
    Instant now = Instant.ofEpochMilli(System.currentTimeMillis());
    long lifetime = MIN_LIFETIME_MS + random.nextInt(LIFETIME_SPREAD_MS);
    Instant deadline = now.plusMillis(lifetime);
    List<long[]> plan = plan(lifetime);
    ChallengeCreated unsigned =
        ChallengeCreated.newBuilder()
            .setSid(sid)
            .setAccountSid("AC50a50a50a50a50a50a50a50a50a50a5")
            .setServiceSid(SERVICE_SID)
            .setEntitySid(ENTITY_SID)
            .setIdentity(IDENTITY)
            .setFactorSid(FACTOR_SID)
            .setFactorType("push")
            .setCreatedAt(now)
            .setExpirationDate(deadline)
            .setDetailsMessage("Soak login request")
            .build();
    ChallengeCreated challenge = createKeys.sign(unsigned);
    inFlight.incrementAndGet();
    producer
        .send(topics.challengeCreated(), sid, challenge)
        .whenComplete(
            (ok, error) -> {
              if (error == null) {
                challenges.put(sid, new SentChallenge(sid, deadline.toEpochMilli()));
                createsAcked.incrementAndGet();
                long acked = System.currentTimeMillis();
                for (long[] step : plan) {
                  due.add(
                      new Scheduled(
                          acked + step[0],
                          sid,
                          deadline.toEpochMilli(),
                          AttemptOutcome.values()[(int) step[1]]));
                }
              } else {
                failedSends.incrementAndGet();
              }
              inFlight.decrementAndGet();
            });
  }

  /** What the challenge's device sends: {delay after the create in ms, outcome ordinal} each. */
  private List<long[]> plan(long lifetime) {
    List<long[]> plan = new ArrayList<>();
    int kind = random.nextInt(100);
    long onTime = 300 + random.nextInt((int) lifetime - 1_800);
    if (kind < 30) {
      plan.add(new long[] {onTime, AttemptOutcome.APPROVED.ordinal()});
    } else if (kind < 40) {
      plan.add(new long[] {onTime, AttemptOutcome.DENIED.ordinal()});
    } else if (kind < 50) {
      plan.add(new long[] {200, AttemptOutcome.WRONG_CODE.ordinal()});
      plan.add(new long[] {onTime + 100, AttemptOutcome.APPROVED.ordinal()});
    } else if (kind < 60) {
      plan.add(new long[] {onTime, AttemptOutcome.WRONG_CODE.ordinal()});
    } else if (kind < 70) {
      plan.add(
          new long[] {lifetime + 100 + random.nextInt(900), AttemptOutcome.APPROVED.ordinal()});
    }
    return plan;
  }

  private void sendDueAttempts() {
    long now = System.currentTimeMillis();
    for (Scheduled next = due.peek(); next != null && next.at() <= now; next = due.peek()) {
      due.poll();
      attempt(next, now);
    }
  }

  private void attempt(Scheduled s, long now) {
    // The AuthPayload a device would send; distinct per attempt, so each is its own attempt id.
    String payload = s.outcome().name().toLowerCase() + "-" + sequence++;
    VerificationAttempted attempt =
        signer.sign(
            VerificationAttempted.newBuilder()
                .setSid(s.sid())
                .setServiceSid(SERVICE_SID)
                .setIdentity(IDENTITY)
                .setFactorSid(FACTOR_SID)
                .setAttemptId(signer.attemptId(s.sid(), payload))
                .setAttemptAt(Instant.ofEpochMilli(now))
                .setOutcome(s.outcome())
                .build());
    inFlight.incrementAndGet();
    producer
        .send(topics.challengeResponses(), s.sid(), attempt)
        .whenComplete(
            (ok, error) -> {
              if (error == null) {
                attempts.add(new SentAttempt(s.sid(), attempt.getAttemptId(), s.outcome(), now));
              } else {
                failedSends.incrementAndGet();
              }
              inFlight.decrementAndGet();
            });
  }

  /** Stops creating; the attempts already planned are still sent. */
  void stopCreating() {
    creating.set(false);
  }

  /**
   * Waits until every planned attempt is sent and every send answered (after {@link
   * #stopCreating}).
   *
   * @throws IllegalStateException if that takes longer than {@code bound}, or the load failed
   */
  void awaitDone(Duration bound) throws InterruptedException {
    thread.join(bound.toMillis());
    if (failure != null) {
      throw new IllegalStateException("the soak's load failed: " + failure, failure);
    }
    if (thread.isAlive()) {
      throw new IllegalStateException(
          "the load did not finish within "
              + bound.toSeconds()
              + " s ("
              + inFlight.get()
              + " sends unanswered, "
              + due.size()
              + " attempts not yet sent)");
    }
  }

  long createsAcked() {
    return createsAcked.get();
  }

  long failedSends() {
    return failedSends.get();
  }

  /** Creates skipped because the load fell more than a second behind its rate. */
  long dropped() {
    return dropped.get();
  }

  List<SentChallenge> challenges() {
    return List.copyOf(challenges.values());
  }

  List<SentAttempt> attempts() {
    return List.copyOf(attempts);
  }

  /** The latest deadline of any challenge acknowledged so far (0 if none). */
  long lastDeadline() {
    return challenges.values().stream().mapToLong(SentChallenge::deadline).max().orElse(0);
  }

  @Override
  public void close() {
    stopped.set(true);
    try {
      thread.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}

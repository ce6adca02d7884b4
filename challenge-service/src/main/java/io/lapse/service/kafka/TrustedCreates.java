package io.lapse.service.kafka;

import io.lapse.contract.AttemptMacKeys;
import io.lapse.events.v1.ChallengeCreated;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.EnumMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lets into this instance's read view only the {@code challenge-created} records a trusted producer
 * wrote (docs/decisions/0020-signed-challenge-creates.md): the MAC valid under a listed key, and
 * the record key equal to the challenge SID. The expiry processor makes the same checks and
 * dead-letters what fails them; here a refused create is only counted and logged, so each forgery
 * is dead-lettered once, by the processor, and none shows as a pending challenge that never
 * resolves.
 */
public final class TrustedCreates {
  private static final Logger LOG = LoggerFactory.getLogger(TrustedCreates.class);

  /** Why a create was kept out; the labels are the processor's dead-letter reasons. */
  public enum Refusal {
    MAC_MISSING("mac-missing"),
    MAC_KEY_UNKNOWN("mac-key-unknown"),
    MAC_INVALID("mac-invalid"),
    KEY_NOT_SID("key-not-sid");

    private final String label;

    Refusal(String label) {
      this.label = label;
    }

    public String label() {
      return label;
    }
  }

  private final AttemptMacKeys keys;
  private final Map<Refusal, Counter> refused = new EnumMap<>(Refusal.class);

  public TrustedCreates(AttemptMacKeys keys, MeterRegistry metrics) {
    this.keys = keys;
    for (Refusal r : Refusal.values()) {
      refused.put(
          r,
          Counter.builder("lapse.view.untrusted.creates")
              .description("challenge-created records kept out of the read view, by reason")
              .tag("reason", r.label())
              .register(metrics));
    }
  }

  /** Null if the create may be shown, else why not. */
  public static Refusal assess(AttemptMacKeys keys, String key, ChallengeCreated created) {
    Refusal mac =
        switch (keys.verify(created)) {
          case VALID -> null;
          case MISSING -> Refusal.MAC_MISSING;
          case KEY_UNKNOWN -> Refusal.MAC_KEY_UNKNOWN;
          case INVALID -> Refusal.MAC_INVALID;
        };
    if (mac != null) {
      return mac;
    }
    return created.getSid().equals(key) ? null : Refusal.KEY_NOT_SID;
  }

  /** True if the create may be shown; otherwise counts and logs why not. */
  public boolean admit(String key, ChallengeCreated created, String source) {
    Refusal why = assess(keys, key, created);
    if (why == null) {
      return true;
    }
    refused.get(why).increment();
    // The SID and source only: the MAC and the hidden details stay out of the log.
    LOG.warn(
        "Not showing challenge {} from {}: {} (the expiry processor dead-letters it)",
        created.getSid(),
        source,
        why.label());
    return false;
  }
}

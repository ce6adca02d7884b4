package io.lapse.launcher.soak;

import java.util.List;

/**
 * What {@link SoakVerifier} found: the challenges and attempts judged, how they ended, the
 * challenges breaking each invariant, and the lateness of expiries as the reader saw them.
 *
 * @param unanswered attempts without any answer (their challenges are among {@code lost})
 * @param foreign events about sends the soak does not know were written (not judged)
 * @param examples a few SIDs per violation, for {@code ./lapse timeline}
 * @param lostSids every lost challenge (to tell which partitions they are on)
 */
public record SoakVerdict(
    int challenges,
    int attempts,
    int approved,
    int denied,
    int expired,
    int lost,
    int unanswered,
    int duplicated,
    int early,
    int contradictory,
    int foreign,
    long p50LatenessMs,
    long p99LatenessMs,
    long maxLatenessMs,
    List<String> examples,
    List<String> lostSids) {

  public SoakVerdict {
    examples = List.copyOf(examples);
    lostSids = List.copyOf(lostSids);
  }

  /** Whether every invariant held. */
  public boolean ok() {
    return lost == 0 && duplicated == 0 && early == 0 && contradictory == 0;
  }

  /** The one line the soak ends with. */
  public String summaryLine(int cycles) {
    return String.format(
        "soak: cycles=%d challenges=%d lost=%d duplicated=%d early=%d contradictory=%d"
            + " max_lateness_ms=%d",
        cycles, challenges, lost, duplicated, early, contradictory, maxLatenessMs);
  }
}

package io.lapse.service.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.lapse.service.domain.SortKey;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The {@code challenge-order} keys (docs/decisions/0009): RocksDB orders them by unsigned bytes, so
 * that order must be (createdAt, SID) order within an entity, and one entity's prefix must never
 * take in another entity's keys.
 */
class ChallengeOrderKeyTest {
  private static final String SERVICE = "VA" + "2".repeat(32);
  private static final Comparator<byte[]> BYTES = Arrays::compareUnsigned;

  private static String sid(Random r) {
    StringBuilder b = new StringBuilder("YC");
    for (int i = 0; i < 32; i++) {
      b.append("0123456789abcdef".charAt(r.nextInt(16)));
    }
    return b.toString();
  }

  @Test
  void shouldOrderKeysByCreationTimeThenSid() {
    Random r = new Random(9);
    String entity = SERVICE + "/user-0001";
    List<SortKey> sorts = new ArrayList<>();
    for (int i = 0; i < 2_000; i++) {
      // Times across the whole range a challenge can have, many equal (same millisecond).
      long t = i % 3 == 0 ? 1_767_225_600_000L : (r.nextLong() >>> 1) % 9_000_000_000_000L;
      sorts.add(new SortKey(t, sid(r)));
    }
    List<SortKey> byBytes = new ArrayList<>(sorts);
    byBytes.sort(
        (a, b) ->
            BYTES.compare(
                ChallengeOrder.key(entity, a.createdAtMillis(), a.sid()),
                ChallengeOrder.key(entity, b.createdAtMillis(), b.sid())));
    List<SortKey> natural = new ArrayList<>(sorts);
    natural.sort(null);

    assertThat(byBytes).isEqualTo(natural);
  }

  @Test
  void shouldDecodeTimeAndSidBack() {
    String entity = SERVICE + "/user-0001";
    byte[] key = ChallengeOrder.key(entity, 1_767_225_600_123L, "YC" + "a".repeat(32));
    int prefix = ChallengeOrder.prefix(entity).length;

    assertThat(ChallengeOrder.createdAtOf(key, prefix)).isEqualTo(1_767_225_600_123L);
    assertThat(ChallengeOrder.sidOf(key, prefix)).isEqualTo("YC" + "a".repeat(32));
  }

  @Test
  void shouldNeverLetOneEntitysPrefixTakeInAnotherEntitysKeys() {
    // Identities where one is a prefix of another, and ones that differ only after a dash.
    List<String> identities =
        List.of("user-0001", "user-00011", "user-0001-a", "user-000", "user-0002", "USER-0001");
    Random r = new Random(3);
    for (String a : identities) {
      byte[] prefix = ChallengeOrder.prefix(SERVICE + "/" + a);
      for (String b : identities) {
        for (long t : new long[] {0, 1, 255, 1_767_225_600_000L, Long.MAX_VALUE}) {
          byte[] key = ChallengeOrder.key(SERVICE + "/" + b, t, sid(r));
          boolean startsWith =
              key.length >= prefix.length
                  && Arrays.equals(key, 0, prefix.length, prefix, 0, prefix.length);
          assertThat(startsWith).as("%s's prefix over a key of %s", a, b).isEqualTo(a.equals(b));
        }
      }
    }
    // Another service's entity with the same identity too.
    byte[] prefix = ChallengeOrder.prefix(SERVICE + "/user-0001");
    byte[] other = ChallengeOrder.key("VA" + "3".repeat(32) + "/user-0001", 5, sid(r));
    assertThat(Arrays.equals(other, 0, prefix.length, prefix, 0, prefix.length)).isFalse();
  }
}

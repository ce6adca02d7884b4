package io.lapse.expiry.state;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.utils.Bytes;

/**
 * Keys of the time index: {@code 8-byte big-endian epoch millis ‖ UTF-8 challenge key}. RocksDB
 * orders keys by unsigned bytes, so for non-negative times byte order is time order (then key
 * order); a bare 8-byte prefix sorts before every key of that millisecond, which gives exact range
 * bounds. Times are clamped to 0: a deadline before 1970 is simply due.
 */
public final class TimeIndexKey {
  private TimeIndexKey() {}

  public static Bytes of(long epochMillis, String challengeKey) {
    byte[] k = challengeKey.getBytes(StandardCharsets.UTF_8);
    return Bytes.wrap(
        ByteBuffer.allocate(Long.BYTES + k.length).putLong(clamp(epochMillis)).put(k).array());
  }

  /** The lowest possible key of this millisecond (a range bound, never stored). */
  public static Bytes lowerBound(long epochMillis) {
    return Bytes.wrap(ByteBuffer.allocate(Long.BYTES).putLong(clamp(epochMillis)).array());
  }

  public static long time(Bytes key) {
    return ByteBuffer.wrap(key.get()).getLong();
  }

  public static String challengeKey(Bytes key) {
    byte[] b = key.get();
    return new String(b, Long.BYTES, b.length - Long.BYTES, StandardCharsets.UTF_8);
  }

  private static long clamp(long t) {
    return Math.max(0L, t);
  }
}

package io.lapse.expiry.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lapse.contract.TwilioError;
import io.lapse.events.v1.AttemptOutcome;
import io.lapse.expiry.state.ArbiterRecord.Phase;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

class ArbiterRecordSerdeTest {
  private static final long DEADLINE = 1_767_225_900_000L;
  private static final String VA = "VA00000000000000000000000000000001";
  private static final String YF = "YF00000000000000000000000000000001";

  /**
   * The records behind {@code arbiter-record-v1.hex}: together they use every code of every
   * persisted enum (each phase, each answer kind, each attempt outcome).
   */
  private static final Map<String, ArbiterRecord> GOLDEN = golden();

  private static Map<String, ArbiterRecord> golden() {
    Map<String, ArbiterRecord> m = new LinkedHashMap<>();
    m.put(
        "pending-with-failures",
        record(
            Phase.PENDING,
            DEADLINE,
            DEADLINE,
            "user-1",
            YF,
            2,
            List.of(
                Answer.failed("AT01", DEADLINE - 60_000, 1),
                Answer.failed("AT02", DEADLINE - 50_000, 2)),
            List.of()));
    m.put(
        "awaiting-with-parked",
        record(
            Phase.AWAITING,
            DEADLINE + 10_000,
            ArbiterRecord.NO_DEADLINE,
            "user-1",
            YF,
            0,
            List.of(),
            List.of(
                parked("AT11", DEADLINE - 1_000, AttemptOutcome.APPROVED, Map.of("os", "Android")),
                parked("AT12", DEADLINE - 900, AttemptOutcome.DENIED, null),
                parked("AT13", DEADLINE - 800, AttemptOutcome.WRONG_CODE, Map.of()))));
    m.put(
        "approved",
        record(
            Phase.APPROVED,
            DEADLINE,
            DEADLINE,
            "user-é",
            YF,
            1,
            List.of(
                Answer.failed("AT21", DEADLINE - 9_000, 1),
                Answer.approved(
                    "AT22", DEADLINE - 8_000, DEADLINE - 8_010, Map.of("os", "Android"))),
            List.of()));
    m.put(
        "denied",
        record(
            Phase.DENIED,
            DEADLINE,
            DEADLINE,
            "user-1",
            YF,
            0,
            List.of(
                Answer.denied("AT31", DEADLINE - 7_000, DEADLINE - 7_005, null),
                Answer.rejected("AT32", DEADLINE - 6_000, TwilioError.CHALLENGE_ALREADY_RESPONDED)),
            List.of()));
    m.put(
        "expired",
        record(
            Phase.EXPIRED,
            DEADLINE,
            DEADLINE,
            "user-1",
            YF,
            0,
            List.of(Answer.rejected("AT41", DEADLINE + 5, TwilioError.CHALLENGE_EXPIRED)),
            List.of()));
    m.put(
        "unknown",
        record(
            Phase.UNKNOWN,
            DEADLINE + 10_000,
            ArbiterRecord.NO_DEADLINE,
            "user-1",
            null,
            0,
            List.of(Answer.rejected("AT51", DEADLINE + 60_000, TwilioError.NOT_FOUND)),
            List.of()));
    return m;
  }

  private static ArbiterRecord record(
      Phase phase,
      long indexAt,
      long expirationDate,
      String identity,
      String factorSid,
      int failed,
      List<Answer> answers,
      List<ParkedAttempt> parked) {
    return new ArbiterRecord(
        phase, indexAt, expirationDate, VA, identity, factorSid, failed, answers, parked);
  }

  private static ParkedAttempt parked(
      String id, long at, AttemptOutcome outcome, Map<String, String> metadata) {
    return new ParkedAttempt(id, at, outcome, VA, "user-1", YF, metadata);
  }

  /** The committed hex lines: name → bytes. */
  private static Map<String, byte[]> goldenBytes() throws IOException {
    Map<String, byte[]> bytes = new LinkedHashMap<>();
    try (InputStream in =
        ArbiterRecordSerdeTest.class.getResourceAsStream("/arbiter-record-v1.hex")) {
      for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
        if (!line.isBlank() && !line.startsWith("#")) {
          String[] parts = line.trim().split(" ", 2);
          bytes.put(parts[0], HexFormat.of().parseHex(parts[1]));
        }
      }
    }
    return bytes;
  }

  static Stream<Arguments> goldenCases() throws IOException {
    Map<String, byte[]> bytes = goldenBytes();
    assertThat(bytes.keySet()).as("golden lines").containsExactlyElementsOf(GOLDEN.keySet());
    return GOLDEN.entrySet().stream()
        .map(e -> Arguments.of(e.getKey(), e.getValue(), bytes.get(e.getKey())));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("goldenCases")
  void shouldDecodeTheGoldenBytesOfVersion1(String name, ArbiterRecord record, byte[] golden) {
    assertThat(ArbiterRecordSerde.decode(golden)).isEqualTo(record);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("goldenCases")
  void shouldEncodeToTheGoldenBytesOfVersion1(String name, ArbiterRecord record, byte[] golden) {
    assertThat(HexFormat.of().formatHex(ArbiterRecordSerde.encode(record)))
        .isEqualTo(HexFormat.of().formatHex(golden));
  }

  @Test
  void shouldUseEveryCodeOfEveryPersistedEnumInTheGoldenRecords() {
    assertThat(GOLDEN.values().stream().map(ArbiterRecord::phase))
        .containsExactlyInAnyOrder(Phase.values());
    assertThat(GOLDEN.values().stream().flatMap(r -> r.answers().stream()).map(Answer::kind))
        .contains(Answer.Kind.values());
    assertThat(
            GOLDEN.values().stream().flatMap(r -> r.parked().stream()).map(ParkedAttempt::outcome))
        .contains(AttemptOutcome.values());
  }

  @Test
  void shouldRoundTripEveryField() {
    ArbiterRecord record =
        new ArbiterRecord(
            Phase.AWAITING,
            1_700_000_000_123L,
            ArbiterRecord.NO_DEADLINE,
            "VA1",
            "idé",
            null,
            3,
            List.of(
                Answer.approved("a1", 10, 9, Map.of("k", "v", "k2", "v2")),
                Answer.rejected("a2", 11, TwilioError.CHALLENGE_ATTEMPTS_LIMIT),
                Answer.failed("a3", 12, 2)),
            List.of(new ParkedAttempt("p1", 5, AttemptOutcome.DENIED, "VA1", "id", "YF1", null)));

    byte[] bytes = ArbiterRecordSerde.encode(record);

    assertThat(ArbiterRecordSerde.decode(bytes)).isEqualTo(record);
  }

  @Test
  void shouldRefuseAnUnknownVersion() {
    byte[] bytes = ArbiterRecordSerde.encode(ArbiterRecord.pending(1L, "VA1", "id", "YF1"));
    bytes[0] = 2;

    assertThatThrownBy(() -> ArbiterRecordSerde.decode(bytes))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("version");
  }

  @Test
  void shouldRefuseAnUnknownPhaseCode() {
    byte[] bytes = ArbiterRecordSerde.encode(ArbiterRecord.pending(1L, "VA1", "id", "YF1"));
    bytes[1] = 6;

    assertThatThrownBy(() -> ArbiterRecordSerde.decode(bytes))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("Unknown arbiter record phase code 6");
  }

  @Test
  void shouldRefuseAnUnknownAnswerKindCode() {
    byte[] bytes = ArbiterRecordSerde.encode(GOLDEN.get("expired"));
    int kindAt = indexAfter(bytes, "AT41".getBytes(StandardCharsets.UTF_8));
    bytes[kindAt] = 4;

    assertThatThrownBy(() -> ArbiterRecordSerde.decode(bytes))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("Unknown answer kind code 4");
  }

  @Test
  void shouldRefuseAnUnknownAttemptOutcomeCode() {
    ArbiterRecord awaiting =
        ArbiterRecord.awaiting(
            10, new ParkedAttempt("AT99", 5, AttemptOutcome.APPROVED, VA, "user-1", YF, null));
    byte[] bytes = ArbiterRecordSerde.encode(awaiting);
    int outcomeAt = indexAfter(bytes, "AT99".getBytes(StandardCharsets.UTF_8)) + Long.BYTES;
    bytes[outcomeAt] = 3;

    assertThatThrownBy(() -> ArbiterRecordSerde.decode(bytes))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("Unknown attempt outcome code 3");
  }

  @ParameterizedTest
  @EnumSource(Phase.class)
  void shouldDecodeEachPhaseFromItsOwnCode(Phase phase) {
    assertThat(Phase.fromCode(phase.code())).isEqualTo(phase);
  }

  @ParameterizedTest
  @EnumSource(Answer.Kind.class)
  void shouldDecodeEachAnswerKindFromItsOwnCode(Answer.Kind kind) {
    assertThat(Answer.Kind.fromCode(kind.code())).isEqualTo(kind);
  }

  @ParameterizedTest
  @EnumSource(AttemptOutcome.class)
  void shouldDecodeEachAttemptOutcomeFromItsOwnCode(AttemptOutcome outcome) {
    assertThat(ArbiterRecordSerde.outcomeOf(ArbiterRecordSerde.outcomeCode(outcome)))
        .isEqualTo(outcome);
  }

  /** The index just after the first occurrence of {@code needle} in {@code bytes}. */
  private static int indexAfter(byte[] bytes, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= bytes.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (bytes[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i + needle.length;
    }
    throw new AssertionError("not found");
  }
}

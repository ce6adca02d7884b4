package io.lapse.expiry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lapse.events.v1.AttemptOutcome;
import io.lapse.expiry.state.Answer;
import io.lapse.expiry.state.ChallengeState;
import io.lapse.expiry.state.ChallengeStateSerde;
import io.lapse.expiry.state.ParkedAttempt;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

class ChallengeStateSerdeTest {

  @Test
  void shouldRoundTripEveryField() {
    ChallengeState state =
        new ChallengeState(
            ChallengeState.Status.AWAITING,
            1_700_000_000_123L,
            ChallengeState.NO_DEADLINE,
            "VA1",
            "idé",
            null,
            3,
            List.of(
                Answer.approved("a1", 10, 9, Map.of("k", "v")),
                Answer.rejected("a2", 11, 60308),
                Answer.failed("a3", 12, 2)),
            List.of(new ParkedAttempt("p1", 5, AttemptOutcome.DENIED, "VA1", "id", "YF1", null)));

    byte[] bytes = ChallengeStateSerde.encode(state);

    assertThat(ChallengeStateSerde.decode(bytes)).isEqualTo(state);
  }

  @Test
  void shouldRefuseAnUnknownVersion() {
    byte[] bytes = ChallengeStateSerde.encode(ChallengeState.pending(1L, "VA1", "id", "YF1"));
    bytes[0] = 2;

    assertThatThrownBy(() -> ChallengeStateSerde.decode(bytes))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("version");
  }
}

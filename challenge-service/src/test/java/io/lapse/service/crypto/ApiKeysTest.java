package io.lapse.service.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ApiKeysTest {
  private static final String SID = "SK" + "a".repeat(32);

  @Test
  void shouldAcceptTheSecretWhoseHashIsConfigured() {
    ApiKeys keys = ApiKeys.parse(ApiKeys.entryFor(SID, "s3cret") + ", ");

    assertThat(keys.accepts(SID, "s3cret")).isTrue();
    assertThat(keys.accepts(SID, "s3cret ")).isFalse();
    assertThat(keys.accepts(SID, "")).isFalse();
    assertThat(keys.accepts("SK" + "b".repeat(32), "s3cret")).isFalse();
  }

  @Test
  void shouldMakeAKeyItsOwnEntryAccepts() {
    ApiKeys.NewKey key = ApiKeys.generate();

    assertThat(key.sid()).matches("SK[0-9a-f]{32}");
    assertThat(key.secret()).matches("[0-9a-f]{32}");
    assertThat(key.entry()).startsWith(key.sid() + ":sha256:").doesNotContain(key.secret());
    assertThat(ApiKeys.parse(key.entry()).accepts(key.sid(), key.secret())).isTrue();
  }

  @Test
  void shouldRefuseMalformedEntriesWithoutEchoingThem() {
    for (String bad :
        new String[] {
          "SK123:sha256:" + "0".repeat(64),
          SID + ":md5:" + "0".repeat(64),
          SID + ":sha256:" + "0".repeat(63),
          SID + ":plain-secret",
          ApiKeys.entryFor(SID, "a") + "," + ApiKeys.entryFor(SID, "b")
        }) {
      assertThatThrownBy(() -> ApiKeys.parse(bad))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageNotContaining("plain-secret")
          .hasMessageContaining("entry");
    }
  }

  @Test
  void shouldNotShowItsDigestsInToString() {
    ApiKeys keys = ApiKeys.parse(ApiKeys.entryFor(SID, "s3cret"));

    assertThat(keys.toString()).isEqualTo("ApiKeys[1 keys]");
  }
}

package io.lapse.config;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class MaskingTest {
  @Test
  void shouldMaskTheUserInfoOfEveryUrlInAList() {
    assertThat(
            Masking.maskUserInfo(
                "https://a:pw1@r1.example.com/apis,http://r2.example.com,http://b:pw2@r3:8081"))
        .isEqualTo("https://****@r1.example.com/apis,http://r2.example.com,http://****@r3:8081");
  }

  @Test
  void shouldMaskAPasswordWithAnUnencodedAtSignWhole() {
    assertThat(Masking.maskUserInfo("http://alice:p@ss@registry:8081/apis"))
        .isEqualTo("http://****@registry:8081/apis");
  }

  @Test
  void shouldMaskAPasswordWithASpaceWhole() {
    assertThat(Masking.maskUserInfo("bad URL http://alice:pw 1@registry:8081/apis"))
        .isEqualTo("bad URL http://****@registry:8081/apis");
  }

  @Test
  void shouldLeaveAnAtSignAfterThePathAlone() {
    assertThat(Masking.maskUserInfo("http://registry:8081/apis?owner=a@b"))
        .isEqualTo("http://registry:8081/apis?owner=a@b");
  }

  @Test
  void shouldMarkCredentialVariablesBySuffixOrWord() {
    assertThat(Masking.isSecretName("KAFKA_PROPERTY_SASL_JAAS_CONFIG")).isTrue();
    assertThat(Masking.isSecretName("SCHEMA_REGISTRY_PROPERTY_BASIC_AUTH_USER_INFO")).isTrue();
    assertThat(Masking.isSecretName("KAFKA_PROPERTY_SSL_KEYSTORE_KEY")).isTrue();
    assertThat(Masking.isSecretName("KAFKA_PROPERTY_SECURITY_PROTOCOL")).isFalse();
  }
}

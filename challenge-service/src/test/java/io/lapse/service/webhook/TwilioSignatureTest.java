package io.lapse.service.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import com.twilio.security.RequestValidator;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The signature as Twilio's own Java SDK checks it ({@link RequestValidator}). */
class TwilioSignatureTest {
  private static final String TOKEN = "12345";

  @Test
  void shouldMatchTwiliosDocumentedExample() {
    // The example of Twilio's "Webhooks security" page, which its SDKs' tests also use.
    Map<String, String> params = new LinkedHashMap<>();
    params.put("CallSid", "CA1234567890ABCDE");
    params.put("Caller", "+12349013030");
    params.put("Digits", "1234");
    params.put("From", "+12349013030");
    params.put("To", "+18005551212");
    String url = "https://mycompany.com/myapp.php?foo=1&bar=2";

    String signature = new TwilioSignature(TOKEN).sign(url, params);

    assertThat(new RequestValidator(TOKEN).validate(url, params, signature)).isTrue();
  }

  @Test
  void shouldBeAcceptedByTheSdkForAWebhookPayloadInAnyParameterOrder() {
    Map<String, String> params = new LinkedHashMap<>();
    params.put("uuid", "6b1e0cf3-0f0e-3d3e-a1f6-4f1e8b0a9a11");
    params.put("type", "challenge.approved");
    params.put("challenge_details", "{\"message\":\"Login?\",\"fields\":[]}");
    params.put("entity_identity", "ff483d1f-ünïcödé");
    String url = "http://127.0.0.1:8099/hooks/verify?tenant=a%20b";

    String signature = new TwilioSignature("a-token-of-32-characters-0123456").sign(url, params);

    assertThat(
            new RequestValidator("a-token-of-32-characters-0123456")
                .validate(url, Map.copyOf(params), signature))
        .isTrue();
  }

  @Test
  void shouldFailValidationWhenAValueTheUrlOrTheTokenDiffers() {
    Map<String, String> params = Map.of("type", "factor.created", "factor_sid", "YF1");
    String url = "https://example.com/hook";
    String signature = new TwilioSignature(TOKEN).sign(url, params);
    RequestValidator validator = new RequestValidator(TOKEN);

    assertThat(
            validator.validate(
                url, Map.of("type", "factor.deleted", "factor_sid", "YF1"), signature))
        .isFalse();
    assertThat(validator.validate("https://example.com/other", params, signature)).isFalse();
    assertThat(new RequestValidator("54321").validate(url, params, signature)).isFalse();
  }

  @Test
  void shouldNeverShowTheToken() {
    assertThat(new TwilioSignature("secret-token-value").toString())
        .doesNotContain("secret-token-value");
  }
}

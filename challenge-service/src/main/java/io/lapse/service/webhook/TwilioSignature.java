package io.lapse.service.webhook;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Map;
import java.util.TreeMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The {@code X-Twilio-Signature} of a form-encoded POST, as Twilio computes it and its SDKs' {@code
 * RequestValidator} checks it: Base64 of HMAC-SHA1, keyed with the account's auth token, over the
 * full URL the request is sent to followed by each parameter's name and value, sorted by name. The
 * token is only ever a MAC key here; nothing it derives is logged.
 */
public final class TwilioSignature {
  public static final String HEADER = "X-Twilio-Signature";

  private final SecretKeySpec key;

  public TwilioSignature(String authToken) {
    this.key = new SecretKeySpec(authToken.getBytes(StandardCharsets.UTF_8), "HmacSHA1");
  }

  /**
   * The signature of a POST of {@code params} (single-valued, as Lapse sends them) to {@code url}.
   */
  public String sign(String url, Map<String, String> params) {
    StringBuilder data = new StringBuilder(url);
    // Sorted as the SDKs sort (String order), so the receiver's validator rebuilds the same data.
    new TreeMap<>(params).forEach((name, value) -> data.append(name).append(value));
    try {
      Mac mac = Mac.getInstance("HmacSHA1");
      mac.init(key);
      return Base64.getEncoder()
          .encodeToString(mac.doFinal(data.toString().getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException | InvalidKeyException e) {
      throw new IllegalStateException("HmacSHA1 is part of every JDK", e);
    }
  }

  @Override
  public String toString() {
    return "TwilioSignature[key=****]";
  }
}

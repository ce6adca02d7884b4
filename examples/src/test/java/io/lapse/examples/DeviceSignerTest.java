package io.lapse.examples;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jwt.SignedJWT;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import org.junit.jupiter.api.Test;

class DeviceSignerTest {
  private final KeyPair keys = DeviceSigner.newKeyPair();
  private final ECPublicKey publicKey = (ECPublicKey) keys.getPublic();

  @Test
  void shouldMakeP256KeysAsTheSdksDo() {
    assertThat(keys.getPublic().getAlgorithm()).isEqualTo("EC");
    assertThat(publicKey.getParams().getCurve().getField().getFieldSize()).isEqualTo(256);
    assertThat(DeviceSigner.newKeyPair().getPublic()).isNotEqualTo(keys.getPublic());
  }

  @Test
  void shouldSignTheFactorSidAsDerEcdsaInStandardBase64() throws Exception {
    String proof = DeviceSigner.derSignature(keys, "YF0123456789abcdef0123456789abcdef");
    byte[] der = Base64.getDecoder().decode(proof);
    assertThat(der[0]).as("a DER SEQUENCE, not the raw r‖s of a JWS").isEqualTo((byte) 0x30);

    Signature verifier = Signature.getInstance("SHA256withECDSA");
    verifier.initVerify(keys.getPublic());
    verifier.update("YF0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.UTF_8));
    assertThat(verifier.verify(der)).isTrue();
    verifier.initVerify(keys.getPublic());
    verifier.update("YF-another".getBytes(StandardCharsets.UTF_8));
    assertThat(verifier.verify(der)).isFalse();
  }

  @Test
  void shouldSignTheApprovalAsAnEs256Jws() throws Exception {
    String payload = "{\"sid\":\"YC0123\",\"status\":\"approved\"}";
    JWSObject jws = JWSObject.parse(DeviceSigner.signJws(keys, payload));
    assertThat(jws.getHeader().getAlgorithm()).isEqualTo(JWSAlgorithm.ES256);
    assertThat(jws.getHeader().getType()).isEqualTo(JOSEObjectType.JWT);
    assertThat(jws.getHeader().getKeyID()).isNull();
    assertThat(jws.getPayload().toString()).isEqualTo(payload);
    assertThat(jws.verify(new ECDSAVerifier(publicKey))).isTrue();
    assertThat(jws.verify(new ECDSAVerifier((ECPublicKey) DeviceSigner.newKeyPair().getPublic())))
        .isFalse();
  }

  @Test
  void shouldSignTheDeviceTokenAsTheSdksDo() throws Exception {
    Instant now = Instant.parse("2026-12-02T10:00:00Z");
    SignedJWT jwt =
        SignedJWT.parse(DeviceSigner.sdkToken(keys, "YC-credential", "AC-account", now));
    assertThat(jwt.getHeader().getAlgorithm()).isEqualTo(JWSAlgorithm.ES256);
    assertThat(jwt.getHeader().getKeyID()).isEqualTo("YC-credential");
    assertThat(jwt.getHeader().getType()).isEqualTo(JOSEObjectType.JWT);
    assertThat(jwt.getHeader().getContentType()).isEqualTo("twilio-pba;v=1");
    assertThat(jwt.getJWTClaimsSet().getSubject()).isEqualTo("AC-account");
    assertThat(jwt.getJWTClaimsSet().getNotBeforeTime()).isEqualTo(Date.from(now));
    assertThat(jwt.getJWTClaimsSet().getExpirationTime())
        .isEqualTo(Date.from(now.plusSeconds(600)));
    assertThat(jwt.verify(new ECDSAVerifier(publicKey))).isTrue();
  }
}

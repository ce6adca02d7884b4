package io.lapse.service.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.Payload;
import com.nimbusds.jose.crypto.ECDSASigner;
import io.lapse.examples.DeviceSigner;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.ECPrivateKey;
import java.security.spec.ECGenParameterSpec;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class PushSignatureVerifierTest {
  private final KeyPair keys = DeviceSigner.newKeyPair();
  private final String publicKey =
      Base64.getEncoder().encodeToString(keys.getPublic().getEncoded());

  @Test
  void shouldParseAnAndroidStyleP256Key() {
    assertThat(publicKey).startsWith("MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE");
    assertThat(PushSignatureVerifier.parsePublicKey(publicKey)).isNotNull();
  }

  @Test
  void shouldRejectKeysOnOtherCurvesAndGarbage() throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp384r1"));
    String p384 = Base64.getEncoder().encodeToString(g.generateKeyPair().getPublic().getEncoded());
    assertThatThrownBy(() -> PushSignatureVerifier.parsePublicKey(p384))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> PushSignatureVerifier.parsePublicKey("not base64!"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> PushSignatureVerifier.parsePublicKey("AAAA"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void shouldCheckTheDerProofOverTheFactorSid() {
    var key = PushSignatureVerifier.parsePublicKey(publicKey);
    String proof = DeviceSigner.derSignature(keys, "YF123");
    assertThat(PushSignatureVerifier.verifyFactorProof(key, "YF123", proof)).isTrue();
    assertThat(PushSignatureVerifier.verifyFactorProof(key, "YF124", proof)).isFalse();
    assertThat(PushSignatureVerifier.verifyFactorProof(key, "YF123", "%%%")).isFalse();
  }

  @Test
  void shouldReturnThePayloadOnlyForAnEs256JwsSignedByTheFactorKey() throws Exception {
    var key = PushSignatureVerifier.parsePublicKey(publicKey);
    JWSObject jws =
        new JWSObject(new JWSHeader(JWSAlgorithm.ES256), new Payload("{\"status\":\"approved\"}"));
    jws.sign(new ECDSASigner((ECPrivateKey) keys.getPrivate()));
    String compact = jws.serialize();

    assertThat(PushSignatureVerifier.verifiedJwsPayload(key, compact))
        .contains("{\"status\":\"approved\"}");
    KeyPair other = DeviceSigner.newKeyPair();
    JWSObject forged =
        new JWSObject(new JWSHeader(JWSAlgorithm.ES256), new Payload("{\"status\":\"approved\"}"));
    forged.sign(new ECDSASigner((ECPrivateKey) other.getPrivate()));
    assertThat(PushSignatureVerifier.verifiedJwsPayload(key, forged.serialize())).isEmpty();
    assertThat(PushSignatureVerifier.verifiedJwsPayload(key, "a.b.c")).isEmpty();
  }
}

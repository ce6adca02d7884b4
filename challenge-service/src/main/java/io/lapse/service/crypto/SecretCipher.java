package io.lapse.service.crypto;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HexFormat;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Encrypts TOTP seeds before they leave the process (the factor snapshots on Kafka), with AES-256
 * in GCM mode. Layout: 12-byte random nonce, then ciphertext and 16-byte tag. The factor SID is the
 * associated data, so a ciphertext copied onto another factor does not decrypt. The key id (a
 * digest prefix of the key) is stored next to the ciphertext so a rotated key is detected rather
 * than producing garbage.
 */
public final class SecretCipher {
  private static final int NONCE_BYTES = 12;
  private static final int TAG_BITS = 128;

  private final SecretKey key;
  private final String keyId;
  private final SecureRandom random = new SecureRandom();

  /** A cipher over a 32-byte AES key. */
  public SecretCipher(byte[] rawKey) {
    if (rawKey.length != 32) {
      throw new IllegalArgumentException(
          "the secret key must be 32 bytes (AES-256), got " + rawKey.length);
    }
    this.key = new SecretKeySpec(rawKey.clone(), "AES");
    this.keyId = "k-" + digestPrefix(rawKey);
  }

  /** Identifies the key (not secret): stored with each ciphertext. */
  public String keyId() {
    return keyId;
  }

  public byte[] encrypt(byte[] plaintext, String associatedData) {
    try {
      byte[] nonce = new byte[NONCE_BYTES];
      random.nextBytes(nonce);
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce));
      cipher.updateAAD(associatedData.getBytes(StandardCharsets.UTF_8));
      byte[] sealed = cipher.doFinal(plaintext);
      return ByteBuffer.allocate(NONCE_BYTES + sealed.length).put(nonce).put(sealed).array();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM encryption failed", e);
    }
  }

  /**
   * Decrypts what {@link #encrypt} produced.
   *
   * @throws IllegalStateException if the key id differs, or the data or associated data were
   *     tampered with
   */
  public byte[] decrypt(byte[] nonceAndCiphertext, String associatedData, String storedKeyId) {
    if (!keyId.equals(storedKeyId)) {
      throw new IllegalStateException(
          "secret encrypted with key " + storedKeyId + " but LAPSE_SECRET_KEY is " + keyId);
    }
    try {
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(
          Cipher.DECRYPT_MODE,
          key,
          new GCMParameterSpec(TAG_BITS, nonceAndCiphertext, 0, NONCE_BYTES));
      cipher.updateAAD(associatedData.getBytes(StandardCharsets.UTF_8));
      return cipher.doFinal(
          nonceAndCiphertext, NONCE_BYTES, nonceAndCiphertext.length - NONCE_BYTES);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM decryption failed (wrong key or tampered data)", e);
    }
  }

  /**
   * HMAC-SHA256 of {@code data} under a key derived from this key for {@code purpose}: a keyed
   * digest that identifies a secret (e.g. a TOTP seed, to refuse the same one twice) without being
   * testable against guesses by anyone who lacks the key.
   */
  public byte[] mac(String purpose, byte[] data) {
    try {
      Mac derive = Mac.getInstance("HmacSHA256");
      derive.init(new SecretKeySpec(key.getEncoded(), "HmacSHA256"));
      byte[] subkey = derive.doFinal(purpose.getBytes(StandardCharsets.UTF_8));
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(subkey, "HmacSHA256"));
      return mac.doFinal(data);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HMAC-SHA256 unavailable", e);
    }
  }

  private static String digestPrefix(byte[] raw) {
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(raw);
      return HexFormat.of().formatHex(d, 0, 6);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }
}

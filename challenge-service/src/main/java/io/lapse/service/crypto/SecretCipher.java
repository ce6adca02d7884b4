package io.lapse.service.crypto;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
 *
 * <p>Rotation: the current key seals every new seed; previous keys ({@code
 * LAPSE_SECRET_KEYS_PREVIOUS}) only open seeds sealed under them, chosen by the stored key id.
 */
public final class SecretCipher {
  private static final int NONCE_BYTES = 12;
  private static final int TAG_BITS = 128;

  private final SecretKey key;
  private final String keyId;
  private final Map<String, SecretKey> openers = new LinkedHashMap<>();
  private final SecureRandom random = new SecureRandom();

  /** A cipher over a 32-byte AES key. */
  public SecretCipher(byte[] rawKey) {
    this(rawKey, List.of());
  }

  /**
   * A cipher that seals under {@code currentKey} and opens seeds sealed under it or under any of
   * {@code previousKeys} (all 32-byte AES keys).
   */
  public SecretCipher(byte[] currentKey, List<byte[]> previousKeys) {
    this.key = aesKey(currentKey);
    this.keyId = idOf(currentKey);
    openers.put(keyId, key);
    for (byte[] previous : previousKeys) {
      openers.putIfAbsent(idOf(previous), aesKey(previous));
    }
  }

  private static SecretKey aesKey(byte[] rawKey) {
    if (rawKey.length != 32) {
      throw new IllegalArgumentException(
          "the secret key must be 32 bytes (AES-256), got " + rawKey.length);
    }
    return new SecretKeySpec(rawKey.clone(), "AES");
  }

  private static String idOf(byte[] rawKey) {
    return "k-" + digestPrefix(rawKey);
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
   * @throws IllegalStateException if the key id is neither the current key's nor a previous key's,
   *     or the data or associated data were tampered with
   */
  public byte[] decrypt(byte[] nonceAndCiphertext, String associatedData, String storedKeyId) {
    SecretKey opener = storedKeyId == null ? null : openers.get(storedKeyId);
    if (opener == null) {
      throw new IllegalStateException(
          "secret encrypted with key "
              + storedKeyId
              + " but LAPSE_SECRET_KEY is "
              + keyId
              + " and LAPSE_SECRET_KEYS_PREVIOUS holds "
              + (openers.size() == 1
                  ? "none"
                  : List.copyOf(openers.keySet()).subList(1, openers.size())));
    }
    try {
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(
          Cipher.DECRYPT_MODE,
          opener,
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

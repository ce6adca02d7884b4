package io.lapse.service.domain;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lapse.events.v1.AttemptOutcome;
import io.lapse.events.v1.ChallengeCreated;
import io.lapse.state.v1.FactorSnapshot;
import java.time.Instant;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;

/**
 * Checks a challenge's response ({@code AuthPayload}) against its factor, on this instance alone: a
 * TOTP code against the factor's seed, or a push approval JWS against the factor's key and the
 * challenge's signed fields. The result is the outcome the expiry processor is asked to decide on;
 * a response that cannot be an answer at all is refused here and never reaches it.
 */
public final class ResponseChecker {
  static final int MIN_TOTP_CODE_LENGTH = 3;
  static final int MAX_TOTP_CODE_LENGTH = 8;
  static final int MAX_JWS_LENGTH = 5456;

  private final FactorCrypto crypto;
  private final Catalog catalog;

  /**
   * @param catalog where the factor's service, and so its {@link StrictPolicy}, is read
   */
  public ResponseChecker(FactorCrypto crypto, Catalog catalog) {
    this.crypto = crypto;
    this.catalog = catalog;
  }

  /**
   * Twilio's rule on a TOTP code's length (3 to 8 characters), wherever a code is given.
   *
   * @return the code
   * @throws ApiError a bad {@code AuthPayload} otherwise
   */
  public static String requireTotpCodeLength(String code) {
    if (code.length() < MIN_TOTP_CODE_LENGTH || code.length() > MAX_TOTP_CODE_LENGTH) {
      throw ApiError.invalidParam(
          "AuthPayload",
          "a TOTP code has "
              + MIN_TOTP_CODE_LENGTH
              + " to "
              + MAX_TOTP_CODE_LENGTH
              + " characters");
    }
    return code;
  }

  /** The outcome of {@code authPayload} given at {@code at} for challenge {@code c}. */
  AttemptOutcome check(ChallengeCreated c, FactorSnapshot factor, String authPayload, Instant at) {
    return Factors.PUSH.equals(factor.getFactorType())
        ? pushOutcome(c, factor, authPayload)
        : totpOutcome(factor, requireTotpCodeLength(authPayload), at);
  }

  /**
   * A TOTP code's outcome, within the factor's skew as its service's policy caps it; the code's
   * length is already checked.
   */
  AttemptOutcome totpOutcome(FactorSnapshot factor, String code, Instant at) {
    int skew = StrictPolicy.totpSkew(Lookups.service(catalog, factor.getServiceSid()), factor);
    return crypto.totpMatches(factor, skew, code, at)
        ? AttemptOutcome.APPROVED
        : AttemptOutcome.WRONG_CODE;
  }

  /**
   * The start (epoch seconds) of every time step, within the factor's skew as its service's policy
   * caps it, whose code is {@code code} at {@code at}: what the entity task claims from (a wrong
   * code matches none). The code's length is already checked.
   */
  List<Long> totpMatchedSteps(FactorSnapshot factor, String code, Instant at) {
    int skew = StrictPolicy.totpSkew(Lookups.service(catalog, factor.getServiceSid()), factor);
    return Arrays.stream(crypto.totpMatchedSteps(factor, skew, code, at)).boxed().toList();
  }

  /**
   * Checks a push approval: the JWS must verify with the factor's key, carry exactly the signed
   * fields plus {@code status}, each equal (as JSON) to this challenge's, and a status of approved
   * or denied. Anything else is "challenge verification failed".
   */
  private static AttemptOutcome pushOutcome(ChallengeCreated c, FactorSnapshot factor, String jws) {
    if (jws.length() > MAX_JWS_LENGTH) {
      throw ApiError.invalidParam("AuthPayload", "at most " + MAX_JWS_LENGTH + " characters");
    }
    JsonNode payload =
        FactorCrypto.pushJwsPayload(factor, jws)
            .flatMap(Json::parse)
            .filter(JsonNode::isObject)
            .orElseThrow(ApiError::challengeVerificationFailed);
    ObjectNode expected = ChallengeFields.signed(c);
    if (payload.size() != expected.size() + 1) {
      throw ApiError.challengeVerificationFailed();
    }
    for (Iterator<String> it = expected.fieldNames(); it.hasNext(); ) {
      String field = it.next();
      if (!expected.get(field).equals(payload.get(field))) {
        throw ApiError.challengeVerificationFailed();
      }
    }
    return switch (payload.path("status").asText("")) {
      case "approved" -> AttemptOutcome.APPROVED;
      case "denied" -> AttemptOutcome.DENIED;
      default -> throw ApiError.challengeVerificationFailed();
    };
  }
}

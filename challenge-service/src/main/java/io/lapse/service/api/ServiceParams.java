package io.lapse.service.api;

import io.lapse.contract.TwilioError;
import io.lapse.service.domain.ApiError;
import io.lapse.service.domain.ServiceChanges;
import io.lapse.service.domain.StrictPolicy;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.regex.Pattern;

/**
 * Every form parameter of Service create and update (Twilio's, in the spec's order, then Lapse's
 * extension), with the setting it writes and its check. A parameter of a channel Lapse does not run
 * (SMS, voice, WhatsApp, templates, passkeys) is checked and kept as Twilio does, and does nothing
 * else (docs/decisions/0023-the-whole-service-resource.md); a bad one is Verify's 60200, as Twilio
 * answers for those channels, while Push, TOTP and the friendly name keep the Verify Push code,
 * 60300.
 */
final class ServiceParams {
  static final String LAPSE_MAX_CHALLENGE_LIFETIME = "LapseMaxChallengeLifetime";
  static final String LAPSE_MAX_TOTP_SKEW = "LapseMaxTotpSkew";

  /** A longer free text would only be stored, never used: a bound keeps records small. */
  private static final int MAX_TEXT = 255;

  private static final Pattern ORIGIN_SEPARATOR = Pattern.compile(",");

  /** One parameter: its Twilio name, the setting it writes, its parser, its error code. */
  record Param(
      String name, String setting, BiFunction<Form, String, Optional<?>> parse, TwilioError error) {

    /** The value, if given; a bad one is refused with this parameter's code. */
    Optional<?> read(Form form) {
      try {
        return parse.apply(form, name);
      } catch (ApiError e) {
        if (e.code() == TwilioError.INVALID_PARAMETER.code()
            && error != TwilioError.INVALID_PARAMETER) {
          throw new ApiError(error, e.getMessage());
        }
        throw e;
      }
    }
  }

  static final List<Param> PARAMS =
      List.of(
          push("FriendlyName", "friendlyName", ServiceParams::friendlyName),
          verify("CodeLength", "codeLength", (f, n) -> f.optInt(n, 4, 10)),
          verify("LookupEnabled", "lookupEnabled", Form::optBool),
          verify("SkipSmsToLandlines", "skipSmsToLandlines", Form::optBool),
          verify("DtmfInputRequired", "dtmfInputRequired", Form::optBool),
          verify("TtsName", "ttsName", (f, n) -> f.opt(n, MAX_TEXT)),
          verify("Psd2Enabled", "psd2Enabled", Form::optBool),
          verify("DoNotShareWarningEnabled", "doNotShareWarningEnabled", Form::optBool),
          verify("CustomCodeEnabled", "customCodeEnabled", Form::optBool),
          push("Push.IncludeDate", "pushIncludeDate", Form::optBool),
          push("Push.ApnCredentialSid", "pushApnCredentialSid", sid("CR")),
          push("Push.FcmCredentialSid", "pushFcmCredentialSid", sid("CR")),
          push("Totp.Issuer", "totpIssuer", (f, n) -> f.opt(n, MAX_TEXT)),
          push("Totp.TimeStep", "totpTimeStep", (f, n) -> f.optInt(n, 20, 60)),
          push("Totp.CodeLength", "totpCodeLength", (f, n) -> f.optInt(n, 3, 8)),
          push("Totp.Skew", "totpSkew", (f, n) -> f.optInt(n, 0, 2)),
          verify("DefaultTemplateSid", "defaultTemplateSid", sid("HJ")),
          verify("Whatsapp.MsgServiceSid", "whatsappMsgServiceSid", sid("MG")),
          verify("Whatsapp.From", "whatsappFrom", (f, n) -> f.opt(n, MAX_TEXT)),
          verify(
              "Passkeys.RelyingParty.Id", "passkeysRelyingPartyId", (f, n) -> f.opt(n, MAX_TEXT)),
          verify(
              "Passkeys.RelyingParty.Name",
              "passkeysRelyingPartyName",
              (f, n) -> f.opt(n, MAX_TEXT)),
          verify(
              "Passkeys.RelyingParty.Origins",
              "passkeysRelyingPartyOrigins",
              ServiceParams::origins),
          verify(
              "Passkeys.AuthenticatorAttachment",
              "passkeysAuthenticatorAttachment",
              oneOf("platform", "cross-platform", "any")),
          verify(
              "Passkeys.DiscoverableCredentials",
              "passkeysDiscoverableCredentials",
              oneOf("required", "preferred", "discouraged")),
          verify(
              "Passkeys.UserVerification",
              "passkeysUserVerification",
              oneOf("required", "preferred", "discouraged")),
          verify("VerifyEventSubscriptionEnabled", "verifyEventSubscriptionEnabled", Form::optBool),
          push(
              LAPSE_MAX_CHALLENGE_LIFETIME,
              "lapseMaxChallengeLifetimeSeconds",
              (f, n) -> f.optInt(n, 1, StrictPolicy.MAX_LIFETIME_SECONDS)),
          push(
              LAPSE_MAX_TOTP_SKEW,
              "lapseMaxTotpSkew",
              (f, n) -> f.optInt(n, 0, StrictPolicy.MAX_SKEW)));

  private ServiceParams() {}

  /** The settings a create or update form carries. */
  static ServiceChanges changes(Form form) {
    Map<String, Object> settings = new LinkedHashMap<>();
    for (Param p : PARAMS) {
      p.read(form).ifPresent(v -> settings.put(p.setting(), v));
    }
    return new ServiceChanges(settings);
  }

  private static Param verify(
      String name, String setting, BiFunction<Form, String, Optional<?>> parse) {
    return new Param(name, setting, parse, TwilioError.VERIFY_INVALID_PARAMETER);
  }

  private static Param push(
      String name, String setting, BiFunction<Form, String, Optional<?>> parse) {
    return new Param(name, setting, parse, TwilioError.INVALID_PARAMETER);
  }

  /** Up to 32 characters, never blank: it names the service in every TOTP URI. */
  private static Optional<String> friendlyName(Form f, String name) {
    Optional<String> v = f.opt(name, 32);
    if (v.isPresent() && v.get().isBlank()) {
      throw ApiError.invalidParam(name, "must not be empty");
    }
    return v;
  }

  /**
   * A SID with Twilio's pattern: the prefix and 32 hex digits (the spec's pattern); empty clears.
   */
  private static BiFunction<Form, String, Optional<?>> sid(String prefix) {
    Pattern pattern = Pattern.compile("^" + prefix + "[0-9a-fA-F]{32}$");
    return (f, name) -> {
      Optional<String> v = f.opt(name);
      if (v.isPresent() && !v.get().isEmpty() && !pattern.matcher(v.get()).matches()) {
        throw ApiError.invalidParam(
            name, "must be a " + prefix + " SID (" + prefix + " and 32 hex digits)");
      }
      return v;
    };
  }

  /** One of the spec's values, or empty (the spec: "it can be empty"), which clears it. */
  private static BiFunction<Form, String, Optional<?>> oneOf(String... values) {
    Set<String> allowed = Set.of(values);
    return (f, name) -> {
      Optional<String> v = f.opt(name);
      if (v.isPresent() && !v.get().isEmpty() && !allowed.contains(v.get())) {
        throw ApiError.invalidParam(name, "must be one of " + String.join(", ", values));
      }
      return v;
    };
  }

  /** Comma-separated origins ("login.example.com,www.example.com"), none of them empty. */
  private static Optional<String> origins(Form f, String name) {
    Optional<String> v = f.opt(name, 2048);
    if (v.isPresent() && !v.get().isEmpty()) {
      List<String> parts =
          Arrays.stream(ORIGIN_SEPARATOR.split(v.get(), -1)).map(String::trim).toList();
      if (parts.stream().anyMatch(String::isEmpty)) {
        throw ApiError.invalidParam(name, "must be origins separated by commas, none empty");
      }
      return Optional.of(String.join(",", parts));
    }
    return v;
  }

  /** The origins as the response lists them. */
  static List<String> originList(String stored) {
    return stored == null || stored.isEmpty()
        ? List.of()
        : Arrays.asList(ORIGIN_SEPARATOR.split(stored));
  }
}

package io.lapse.service.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.http.Context;
import io.lapse.contract.Deadline;
import io.lapse.events.v1.DetailField;
import io.lapse.service.domain.ApiError;
import io.lapse.service.domain.ChallengeCreation;
import io.lapse.service.domain.ChallengeFields;
import io.lapse.service.domain.ChallengeStatus;
import io.lapse.service.domain.ChallengeVerification;
import io.lapse.service.domain.Challenges;
import io.lapse.service.domain.Json;
import io.lapse.service.domain.NewChallenge;
import io.lapse.service.domain.PageRequest;
import io.lapse.service.domain.ResponseChecker;
import io.lapse.service.domain.Sids;
import io.lapse.service.domain.TwilioDates;
import io.lapse.service.domain.ViewedChallenge;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executor;

/** {@code …/Entities/{Identity}/Challenges[/{ChallengeSid}]}. */
final class ChallengeHandlers {
  static final String SIGNATURE_FIELDS_HEADER = "Twilio-Verify-Signature-Fields";
  private static final int MAX_FIELDS = 20;

  private final Challenges challenges;
  private final ChallengeCreation creation;
  private final ChallengeVerification verification;
  private final Representations json;
  private final Executor answers;
  private final WaitedAnswers waited;

  /**
   * @param answers where an answer that waited is written: never the thread that completed the
   *     wait, which is a Kafka follower's
   */
  ChallengeHandlers(
      Challenges challenges,
      ChallengeCreation creation,
      ChallengeVerification verification,
      Representations json,
      Executor answers) {
    this.challenges = challenges;
    this.creation = creation;
    this.verification = verification;
    this.json = json;
    this.answers = answers;
    this.waited = new WaitedAnswers(answers);
  }

  /**
   * Creates. The request thread is released while the entity task decides (and, with a TOTP {@code
   * AuthPayload}, while its attempt is decided); see {@link WaitedAnswers}.
   */
  void create(Context ctx) {
    Form form = Form.body(ctx);
    String factorSid = form.required("FactorSid", 34);
    if (!Sids.isValid(Sids.FACTOR, factorSid)) {
      throw ApiError.invalidParam("FactorSid", "must be YF followed by 32 hex digits");
    }
    Optional<Deadline> expiration = form.opt("ExpirationDate").map(ChallengeHandlers::deadline);
    NewChallenge req =
        new NewChallenge(
            factorSid,
            expiration,
            form.opt("Details.Message", 256),
            detailFields(form.all("Details.Fields")),
            form.opt("HiddenDetails")
                .map(h -> Json.stringMap("HiddenDetails", h, 1024))
                .orElse(Map.of()),
            form.opt("AuthPayload").map(ResponseChecker::requireTotpCodeLength),
            Optional.ofNullable(ctx.header("Idempotency-Key")).filter(k -> !k.isBlank()));
    String serviceSid = ctx.pathParam("serviceSid");
    String identity = ctx.pathParam("identity");
    waited.answer(
        ctx,
        () -> creation.create(serviceSid, identity, req),
        created ->
            Responses.json(
                ctx, 201, json.challenge(created.challenge(), challenges.clock().instant())));
  }

  void fetch(Context ctx) {
    ViewedChallenge c =
        challenges.get(
            ctx.pathParam("serviceSid"), ctx.pathParam("identity"), ctx.pathParam("challengeSid"));
    Instant now = challenges.clock().instant();
    if (c.statusAt(now) == ChallengeStatus.PENDING) {
      ctx.header(SIGNATURE_FIELDS_HEADER, ChallengeFields.HEADER_VALUE);
    }
    Responses.json(ctx, 200, json.challenge(c, now));
  }

  void list(Context ctx) {
    String serviceSid = ctx.pathParam("serviceSid");
    String identity = ctx.pathParam("identity");
    Form query = Form.query(ctx);
    Optional<String> factorSid = query.opt("FactorSid");
    Optional<ChallengeStatus> status =
        query
            .opt("Status")
            .map(
                s ->
                    ChallengeStatus.fromWire(s)
                        .orElseThrow(
                            () ->
                                ApiError.invalidParam(
                                    "Status", "must be pending, expired, approved or denied")));
    String order = query.opt("Order").orElse("asc");
    if (!order.equals("asc") && !order.equals("desc")) {
      throw ApiError.invalidParam("Order", "must be asc or desc");
    }
    PageRequest request = Responses.pageRequest(query);
    Map<String, String> filters = new LinkedHashMap<>();
    factorSid.ifPresent(f -> filters.put("FactorSid", f));
    status.ifPresent(s -> filters.put("Status", s.wire()));
    query.opt("Order").ifPresent(o -> filters.put("Order", o));
    Instant now = challenges.clock().instant();
    Responses.json(
        ctx,
        200,
        PageEnvelope.render(
            "challenges",
            json.urls().challenges(serviceSid, identity),
            filters,
            request,
            challenges.list(serviceSid, identity, factorSid, status, order.equals("desc"), request),
            c -> json.challenge(c, now),
            ViewedChallenge::sortKey));
  }

  /**
   * Verifies. The request thread is released while the expiry processor decides (Javalin's {@code
   * ctx.future}); the answer, or the refusal through the one error mapper, is written on {@code
   * answers} when the decision is read.
   */
  void update(Context ctx) {
    Form form = Form.body(ctx);
    Optional<String> payload = form.opt("AuthPayload");
    if (payload.isEmpty() || payload.get().isEmpty()) {
      // The spec makes AuthPayload optional: without it nothing is verified, so nothing changes.
      // Metadata is kept only with the answer it describes (it travels in the attempt).
      if (form.opt("Metadata").isPresent()) {
        throw ApiError.invalidParam("Metadata", "is recorded only with an AuthPayload");
      }
      fetch(ctx);
      return;
    }
    String authPayload = payload.get();
    Map<String, String> metadata =
        form.opt("Metadata").map(m -> Json.stringMap("Metadata", m, 1024)).orElse(null);
    String serviceSid = ctx.pathParam("serviceSid");
    String identity = ctx.pathParam("identity");
    String challengeSid = ctx.pathParam("challengeSid");
    ctx.future(
        () ->
            verification
                .verify(serviceSid, identity, challengeSid, authPayload, metadata)
                .whenCompleteAsync(
                    (c, error) -> {
                      if (error == null) {
                        Responses.json(ctx, 200, json.challenge(c, challenges.clock().instant()));
                      }
                    },
                    answers));
  }

  /**
   * The requested deadline, normalised here once to the precision Twilio shows (whole seconds), so
   * the expiration_date a client reads is the deadline published, kept and enforced.
   */
  private static Deadline deadline(String text) {
    try {
      return Deadline.requested(TwilioDates.parse(text));
    } catch (IllegalArgumentException e) {
      throw ApiError.invalidParam("ExpirationDate", "must be an ISO 8601 date-time");
    }
  }

  /** Each {@code Details.Fields} value is a JSON object {@code {"label": …, "value": …}}. */
  private static List<DetailField> detailFields(List<String> values) {
    if (values.size() > MAX_FIELDS) {
      throw ApiError.invalidParam("Details.Fields", "at most " + MAX_FIELDS + " fields");
    }
    List<DetailField> out = new ArrayList<>(values.size());
    for (String v : values) {
      JsonNode node =
          Json.parse(v)
              .filter(JsonNode::isObject)
              .orElseThrow(
                  () -> ApiError.invalidParam("Details.Fields", "each must be a JSON object"));
      JsonNode label = node.get("label");
      JsonNode value = node.get("value");
      if (label == null || !label.isTextual() || value == null || !value.isTextual()) {
        throw ApiError.invalidParam("Details.Fields", "each needs a string label and value");
      }
      if (label.asText().length() > 36 || value.asText().length() > 128) {
        throw ApiError.invalidParam(
            "Details.Fields", "label at most 36 and value at most 128 characters");
      }
      out.add(new DetailField(label.asText(), value.asText()));
    }
    return out;
  }
}

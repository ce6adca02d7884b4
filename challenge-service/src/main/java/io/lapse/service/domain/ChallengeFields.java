package io.lapse.service.domain;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lapse.events.v1.ChallengeCreated;
import io.lapse.events.v1.DetailField;
import java.util.List;

/**
 * The challenge fields a push approval signs. They are announced in the {@code
 * Twilio-Verify-Signature-Fields} header while the challenge is pending; the device signs them as
 * read from the GET plus the status it chose, and the server compares each signed field with its
 * own rendering as parsed JSON values. They are the ones that never change while pending and that
 * bind the answer to this challenge and to what the user was shown.
 */
public final class ChallengeFields {
  public static final List<String> SIGNED =
      List.of("sid", "factor_sid", "date_created", "expiration_date", "details");

  /** The header value: the signed field names, comma-separated. */
  public static final String HEADER_VALUE = String.join(",", SIGNED);

  private ChallengeFields() {}

  /** Renders the signed fields, in the order the full challenge representation uses. */
  public static ObjectNode signed(ChallengeCreated c) {
    ObjectNode n = Json.object();
    n.put("sid", c.getSid());
    n.put("factor_sid", c.getFactorSid());
    n.put("date_created", TwilioDates.format(c.getCreatedAt()));
    n.put("expiration_date", TwilioDates.format(c.getExpirationDate()));
    n.set("details", details(c));
    return n;
  }

  public static ObjectNode details(ChallengeCreated c) {
    ObjectNode d = Json.object();
    d.put("message", c.getDetailsMessage());
    if (c.getDetailsDate() != null) {
      d.put("date", TwilioDates.format(c.getDetailsDate()));
    }
    ArrayNode fields = d.putArray("fields");
    for (DetailField f : c.getDetailsFields()) {
      fields.addObject().put("label", f.getLabel()).put("value", f.getValue());
    }
    return d;
  }
}

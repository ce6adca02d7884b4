package io.lapse.examples;

import com.twilio.exception.ApiException;
import com.twilio.http.TwilioRestClient;
import com.twilio.rest.verify.v2.Service;
import com.twilio.rest.verify.v2.service.entity.Challenge;
import com.twilio.rest.verify.v2.service.entity.Factor;
import com.twilio.rest.verify.v2.service.entity.NewFactor;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.Map;
import java.util.UUID;

/**
 * The walk-through {@code ./lapse up} prints, written with Twilio's own Java SDK: the only
 * Lapse-specific line is the HTTP client that swaps the base URL. It creates a service and a TOTP
 * factor, approves one challenge in time, then lets a second one run past its 10-second deadline
 * and shows the SDK's {@code ApiException} 60323 and the challenge read back as {@code expired}.
 *
 * <p>Usage: {@code SdkWalkthrough BASE_URL ACCOUNT_SID AUTH_TOKEN}
 */
public final class SdkWalkthrough {
  private SdkWalkthrough() {}

  public static void main(String[] args) throws InterruptedException {
    if (args.length != 3) {
      System.err.println("usage: SdkWalkthrough BASE_URL ACCOUNT_SID AUTH_TOKEN");
      return;
    }
    TwilioRestClient client =
        new TwilioRestClient.Builder(args[1], args[2])
            .httpClient(new LocalTwilioHttpClient(URI.create(args[0])))
            .build();

    Service service = Service.creator("SDK walk-through").create(client);
    System.out.println("service        " + service.getSid());

    String identity = "user-" + UUID.randomUUID();
    NewFactor factor =
        NewFactor.creator(service.getSid(), identity, "My phone", NewFactor.FactorTypes.TOTP)
            .create(client);
    String secret = String.valueOf(((Map<?, ?>) factor.getBinding()).get("secret"));
    System.out.println("totp factor    " + factor.getSid() + " (secret " + secret + ")");

    Factor verified =
        Factor.updater(service.getSid(), identity, factor.getSid())
            .setAuthPayload(TotpCodes.code(secret, Instant.now()))
            .update(client);
    System.out.println("factor status  " + verified.getStatus());

    Challenge onTime =
        Challenge.creator(service.getSid(), identity, factor.getSid()).create(client);
    // A code is accepted once per factor: the current one verified the factor, so the
    // authenticator's next code (inside the factor's skew of one step) answers the challenge.
    Challenge approved =
        Challenge.updater(service.getSid(), identity, onTime.getSid())
            .setAuthPayload(TotpCodes.code(secret, Instant.now().plusSeconds(30)))
            .update(client);
    System.out.println("challenge      " + approved.getSid() + " -> " + approved.getStatus());

    ZonedDateTime deadline = ZonedDateTime.now(ZoneOffset.UTC).plusSeconds(10);
    Challenge late =
        Challenge.creator(service.getSid(), identity, factor.getSid())
            .setExpirationDate(deadline)
            .create(client);
    System.out.println(
        "challenge      " + late.getSid() + " expires at " + late.getExpirationDate());
    Duration wait = Duration.between(ZonedDateTime.now(ZoneOffset.UTC), deadline).plusSeconds(1);
    System.out.println("waiting " + wait.toSeconds() + " s for the deadline to pass...");
    Thread.sleep(Math.max(0, wait.toMillis())); // a demo waiting for a wall-clock deadline
    try {
      Challenge.updater(service.getSid(), identity, late.getSid())
          .setAuthPayload(TotpCodes.code(secret, Instant.now()))
          .update(client);
      System.out.println("unexpected: the late verification was accepted");
    } catch (ApiException e) {
      System.out.println(
          "late verify    ApiException code "
              + e.getCode()
              + ", status "
              + e.getStatusCode()
              + ": "
              + e.getMessage());
    }
    Challenge readBack = Challenge.fetcher(service.getSid(), identity, late.getSid()).fetch(client);
    System.out.println("read back      " + readBack.getSid() + " -> " + readBack.getStatus());
  }
}

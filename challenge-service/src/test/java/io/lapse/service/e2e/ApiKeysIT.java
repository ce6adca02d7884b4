package io.lapse.service.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.twilio.exception.ApiException;
import com.twilio.http.TwilioRestClient;
import com.twilio.rest.verify.v2.Service;
import com.twilio.rest.verify.v2.service.entity.Challenge;
import com.twilio.rest.verify.v2.service.entity.Factor;
import com.twilio.rest.verify.v2.service.entity.NewFactor;
import io.lapse.examples.LocalTwilioHttpClient;
import io.lapse.examples.TotpCodes;
import io.lapse.infra.KafkaBroker;
import io.lapse.infra.SchemaRegistry;
import io.lapse.service.crypto.ApiKeys;
import io.lapse.service.support.LapseSystem;
import io.lapse.service.support.SystemEnv;
import io.lapse.testkit.LapseIntegration;
import java.net.URI;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Twilio's Java SDK logs in with an API key ({@code new TwilioRestClient.Builder(apiKey,
 * apiSecret).accountSid(AC…)}), configured in {@code LAPSE_API_KEYS} as the hash of its secret; a
 * wrong secret and an unknown key are 401/20003.
 */
@LapseIntegration
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ApiKeysIT {
  private final ApiKeys.NewKey key = ApiKeys.generate();
  private final ApiKeys.NewKey other = ApiKeys.generate();
  private LapseSystem system;

  @BeforeAll
  void start(KafkaBroker broker, SchemaRegistry registry) {
    system =
        new LapseSystem(
            broker, registry, Map.of("LAPSE_API_KEYS", key.entry() + "," + other.entry()));
  }

  @AfterAll
  void stop() {
    system.close();
  }

  private TwilioRestClient sdk(String sid, String secret) {
    return new TwilioRestClient.Builder(sid, secret)
        .accountSid(SystemEnv.ACCOUNT)
        .httpClient(new LocalTwilioHttpClient(URI.create(system.service.baseUrl())))
        .build();
  }

  @Test
  void shouldCreateAnEntityFactorAndChallengeWithAnApiKey() {
    TwilioRestClient client = sdk(key.sid(), key.secret());
    Service service = Service.creator("API key app").create(client);
    assertThat(service.getAccountSid()).isEqualTo(SystemEnv.ACCOUNT);
    String identity = "user-" + UUID.randomUUID();
    NewFactor factor =
        NewFactor.creator(service.getSid(), identity, "phone", NewFactor.FactorTypes.TOTP)
            .create(client);
    String secret = String.valueOf(((Map<?, ?>) factor.getBinding()).get("secret"));
    Factor verified =
        Factor.updater(service.getSid(), identity, factor.getSid())
            .setAuthPayload(TotpCodes.code(secret, Instant.now().minusSeconds(30)))
            .update(sdk(other.sid(), other.secret()));
    assertThat(verified.getStatus()).isEqualTo(Factor.FactorStatuses.VERIFIED);

    Challenge challenge =
        Challenge.creator(service.getSid(), identity, factor.getSid()).create(client);

    assertThat(challenge.getStatus()).isEqualTo(Challenge.ChallengeStatuses.PENDING);
    assertThat(
            Challenge.fetcher(service.getSid(), identity, challenge.getSid())
                .fetch(client)
                .getSid())
        .isEqualTo(challenge.getSid());
  }

  @Test
  void shouldRefuseAWrongSecret() {
    ApiException e =
        catchThrowableOfType(
            ApiException.class, () -> Service.creator("x").create(sdk(key.sid(), other.secret())));

    assertThat(e.getStatusCode()).isEqualTo(401);
    assertThat(e.getCode()).isEqualTo(20003);
  }

  @Test
  void shouldRefuseAnUnknownKey() {
    ApiKeys.NewKey unknown = ApiKeys.generate();
    ApiException e =
        catchThrowableOfType(
            ApiException.class,
            () -> Service.creator("x").create(sdk(unknown.sid(), unknown.secret())));

    assertThat(e.getStatusCode()).isEqualTo(401);
    assertThat(e.getCode()).isEqualTo(20003);
  }

  @Test
  void shouldStillAcceptTheAccountsAuthToken() {
    assertThat(Service.creator("token app").create(system.sdk()).getSid()).startsWith("VA");
  }
}

package io.lapse.service.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.javalin.Javalin;
import io.lapse.service.support.LogCapture;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

/**
 * An unhandled error is logged by class and stack frames; what it says about the request is not.
 */
class ErrorMapperLoggingTest {
  private static final String QUOTED_CODE = "73519264";
  private static final String QUOTED_SEED = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";

  @Test
  void shouldLogAnUnhandledErrorWithoutTheMessagesOfItsChain() throws Exception {
    Javalin app = Javalin.create(config -> config.showJavalinBanner = false);
    ErrorMapper.install(app);
    app.post(
        "/boom",
        ctx -> {
          throw new IllegalStateException(
              "could not read AuthPayload=" + QUOTED_CODE,
              new NumberFormatException("For input string: \"" + QUOTED_SEED + "\""));
        });
    app.start("127.0.0.1", 0);
    HttpResponse<String> reply;
    String logged;
    try (LogCapture capture = LogCapture.start()) {
      reply =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(
                          URI.create("http://127.0.0.1:" + app.port() + "/boom?token=q-secret"))
                      .POST(HttpRequest.BodyPublishers.ofString("AuthPayload=" + QUOTED_CODE))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      logged = capture.text();
    } finally {
      app.stop();
    }

    assertThat(reply.statusCode()).isEqualTo(500);
    assertThat(reply.body()).doesNotContain(QUOTED_CODE, QUOTED_SEED, "IllegalStateException");
    assertThat(logged)
        .contains(
            "Unhandled error on POST /boom",
            "java.lang.IllegalStateException (message withheld)",
            "java.lang.NumberFormatException (message withheld)",
            ErrorMapperLoggingTest.class.getName())
        .doesNotContain(QUOTED_CODE, QUOTED_SEED, "q-secret");
  }
}

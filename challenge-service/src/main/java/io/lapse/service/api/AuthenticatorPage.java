package io.lapse.service.api;

import io.javalin.config.JavalinConfig;
import io.javalin.http.staticfiles.Location;
import java.util.Map;

/**
 * The authenticator page (decision 0024): a push factor in the browser, served as static files from
 * this jar at {@value #PATH}. It holds no secret: whoever opens it enrols with an access token
 * their backend gave them, and its key never leaves the browser.
 *
 * <p>Every file is served with a strict Content-Security-Policy: scripts, styles and requests only
 * from this origin, no inline script or style, no frames, no forms posted anywhere, no plugins. The
 * page's own script is the only code that can reach its key in IndexedDB, so nothing else may run
 * in its origin.
 */
final class AuthenticatorPage {
  static final String PATH = "/authenticator";

  static final String CONTENT_SECURITY_POLICY =
      "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
          + "img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

  static final Map<String, String> HEADERS =
      Map.of(
          "Content-Security-Policy", CONTENT_SECURITY_POLICY,
          "X-Content-Type-Options", "nosniff",
          "Referrer-Policy", "no-referrer",
          // A new version of the script is picked up at once; there is nothing to gain from
          // caching four small files.
          "Cache-Control", "no-cache");

  private AuthenticatorPage() {}

  /** Whether a request path is the page's. */
  static boolean serves(String path) {
    return path.equals(PATH) || path.startsWith(PATH + "/");
  }

  static void install(JavalinConfig config) {
    config.staticFiles.add(
        files -> {
          files.hostedPath = PATH;
          files.directory = "/authenticator";
          files.location = Location.CLASSPATH;
          files.headers = HEADERS;
        });
  }
}

package io.lapse.examples;

import com.twilio.http.NetworkHttpClient;
import com.twilio.http.Request;
import com.twilio.http.Response;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * Points Twilio's Java SDK at Lapse. The SDK builds every URL as {@code
 * https://<domain>.twilio.com/<path>} and offers no base-URL setting, but its HTTP client is the
 * documented extension point: this client keeps the path and query the SDK built (including
 * absolute {@code next_page_url}s) and sends them to Lapse's base URL instead.
 *
 * <pre>{@code
 * TwilioRestClient client = new TwilioRestClient.Builder(accountSid, authToken)
 *     .httpClient(new LocalTwilioHttpClient(URI.create("http://127.0.0.1:8080")))
 *     .build();
 * Service service = Service.creator("My app").create(client);
 * }</pre>
 *
 * Never set a region or edge on such a client: the SDK would splice them into the host name.
 */
public class LocalTwilioHttpClient extends NetworkHttpClient {
  private final String origin;
  private final String basePath;

  public LocalTwilioHttpClient(URI baseUrl) {
    this.origin = baseUrl.getScheme() + "://" + baseUrl.getRawAuthority();
    String path = baseUrl.getRawPath() == null ? "" : baseUrl.getRawPath();
    this.basePath = path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
  }

  @Override
  public Response makeRequest(Request original) {
    URI sdkUrl = URI.create(original.getUrl());
    String target =
        origin
            + basePath
            + sdkUrl.getRawPath()
            + (sdkUrl.getRawQuery() == null ? "" : "?" + sdkUrl.getRawQuery());
    Request request = new Request(original.getMethod(), target);
    if (original.getAuthStrategy() != null) {
      request.setAuth(original.getAuthStrategy());
    } else if (original.getUsername() != null) {
      request.setAuth(original.getUsername(), original.getPassword());
    }
    copy(original.getQueryParams(), request::addQueryParam);
    copy(original.getPostParams(), request::addPostParam);
    copy(original.getHeaderParams(), request::addHeaderParam);
    if (original.getContentType() != null) {
      request.setContentType(original.getContentType());
    }
    if (original.getBody() != null) {
      request.setBody(original.getBody());
    }
    if (original.getUserAgentExtensions() != null) {
      request.setUserAgentExtensions(original.getUserAgentExtensions());
    }
    return super.makeRequest(request);
  }

  private static void copy(Map<String, List<String>> params, BiConsumer<String, String> add) {
    params.forEach((name, values) -> values.forEach(value -> add.accept(name, value)));
  }
}

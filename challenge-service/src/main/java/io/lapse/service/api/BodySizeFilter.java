package io.lapse.service.api;

import io.lapse.contract.TwilioError;
import io.lapse.service.domain.ApiError;
import io.lapse.service.domain.Json;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;

/**
 * Caps request bodies at {@code maxBytes}, whether the client declares a {@code Content-Length} or
 * streams a chunked body of unknown length: the body is read up to one byte past the cap, never
 * further into memory, and refused there with 413 and Twilio's {@link
 * TwilioError#REQUEST_TOO_LARGE} body, before any handler runs. A body within the cap is handed on
 * as a buffered copy, so the framework reads it as it would the original.
 *
 * <p>The rest of a refused body is read and discarded up to {@link #DRAIN_BYTES} more (as Tomcat's
 * {@code maxSwallowSize}), so that a client still sending it reads the 413 rather than a reset
 * connection; a body longer than that, or declared so, is answered at once and the connection
 * closed.
 *
 * <p>Javalin's own {@code maxRequestSize} looks at the declared length only, which a chunked body
 * does not have; hence this filter in front of it.
 */
final class BodySizeFilter implements Filter {
  /** How much of a refused body is read and discarded before answering. */
  static final long DRAIN_BYTES = 1024 * 1024;

  private final int maxBytes;

  BodySizeFilter(int maxBytes) {
    this.maxBytes = maxBytes;
  }

  @Override
  public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain)
      throws IOException, ServletException {
    HttpServletRequest request = (HttpServletRequest) req;
    HttpServletResponse response = (HttpServletResponse) res;
    long declared = request.getContentLengthLong();
    if (declared > maxBytes + DRAIN_BYTES) {
      refuse(response, tooLarge(), false);
      return;
    }
    if (declared == 0 || (declared < 0 && !isChunked(request))) {
      chain.doFilter(req, res);
      return;
    }
    byte[] body;
    try {
      body = readAtMost(request.getInputStream(), maxBytes + 1);
    } catch (IOException | RuntimeException e) {
      // A broken chunk or a body shorter than declared: nothing a handler could read.
      refuse(
          response,
          new ApiError(
              TwilioError.INVALID_REQUEST,
              TwilioError.INVALID_REQUEST.message() + ": the request body could not be read"),
          false);
      return;
    }
    if (body.length > maxBytes) {
      refuse(response, tooLarge(), drained(request.getInputStream()));
      return;
    }
    chain.doFilter(new Buffered(request, body), res);
  }

  private ApiError tooLarge() {
    return new ApiError(
        TwilioError.REQUEST_TOO_LARGE,
        TwilioError.REQUEST_TOO_LARGE.message() + ": the body exceeds " + maxBytes + " bytes");
  }

  private static boolean isChunked(HttpServletRequest request) {
    String te = request.getHeader("Transfer-Encoding");
    return te != null && !te.isBlank();
  }

  private static byte[] readAtMost(InputStream in, int limit) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buf = new byte[8192];
    int n;
    while (out.size() < limit
        && (n = in.read(buf, 0, Math.min(buf.length, limit - out.size()))) != -1) {
      out.write(buf, 0, n);
    }
    return out.toByteArray();
  }

  /** Reads the rest of a body up to {@link #DRAIN_BYTES}; true if it ended within that. */
  private static boolean drained(InputStream in) {
    byte[] buf = new byte[8192];
    long left = DRAIN_BYTES;
    try {
      int n;
      while ((n = in.read(buf, 0, (int) Math.min(buf.length, left))) != -1) {
        left -= n;
        if (left == 0) {
          return in.read() == -1;
        }
      }
      return true;
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  private static void refuse(HttpServletResponse response, ApiError e, boolean bodyConsumed)
      throws IOException {
    byte[] json = Json.write(ErrorMapper.body(e)).getBytes(StandardCharsets.UTF_8);
    response.setStatus(e.status());
    response.setContentType(Responses.JSON);
    if (!bodyConsumed) {
      // What is left of the body would be read as the next request.
      response.setHeader("Connection", "close");
    }
    response.setContentLength(json.length);
    response.getOutputStream().write(json);
  }

  /** The request with its body already read into memory. */
  private static final class Buffered extends HttpServletRequestWrapper {
    private final byte[] body;

    Buffered(HttpServletRequest request, byte[] body) {
      super(request);
      this.body = body;
    }

    @Override
    public ServletInputStream getInputStream() {
      ByteArrayInputStream in = new ByteArrayInputStream(body);
      return new ServletInputStream() {
        @Override
        public int read() {
          return in.read();
        }

        @Override
        public int read(byte[] b, int off, int len) {
          return in.read(b, off, len);
        }

        @Override
        public boolean isFinished() {
          return in.available() == 0;
        }

        @Override
        public boolean isReady() {
          return true;
        }

        @Override
        public void setReadListener(ReadListener listener) {
          throw new IllegalStateException("the body is already read");
        }
      };
    }

    @Override
    public BufferedReader getReader() {
      Charset charset = StandardCharsets.UTF_8;
      try {
        if (getCharacterEncoding() != null) {
          charset = Charset.forName(getCharacterEncoding());
        }
      } catch (IllegalArgumentException e) {
        // An unknown charset: read as UTF-8, as the form parser does.
      }
      return new BufferedReader(new InputStreamReader(getInputStream(), charset));
    }

    @Override
    public int getContentLength() {
      return body.length;
    }

    @Override
    public long getContentLengthLong() {
      return body.length;
    }
  }
}

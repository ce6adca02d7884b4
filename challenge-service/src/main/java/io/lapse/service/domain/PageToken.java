package io.lapse.service.domain;

/**
 * Where a page starts: strictly after ({@code PA…}) or strictly before ({@code PB…}) an item's
 * {@link SortKey}, in the list's order. Encoded as URL-safe text: direction, creation millis in
 * base 36, a dash, the SID.
 */
public record PageToken(boolean after, SortKey key) {
  public String encode() {
    return (after ? "PA" : "PB") + Long.toString(key.createdAtMillis(), 36) + "-" + key.sid();
  }

  /**
   * Decodes a token from a URL.
   *
   * @throws ApiError an invalid parameter if it is not one of ours
   */
  public static PageToken decode(String text) {
    if (text.length() < 5 || text.charAt(0) != 'P' || "AB".indexOf(text.charAt(1)) < 0) {
      throw ApiError.invalidParam("PageToken", "unknown page token");
    }
    int dash = text.indexOf('-', 2);
    if (dash < 0 || dash == text.length() - 1) {
      throw ApiError.invalidParam("PageToken", "unknown page token");
    }
    try {
      long millis = Long.parseLong(text.substring(2, dash), 36);
      return new PageToken(text.charAt(1) == 'A', new SortKey(millis, text.substring(dash + 1)));
    } catch (NumberFormatException e) {
      throw ApiError.invalidParam("PageToken", "unknown page token");
    }
  }
}

package io.lapse.launcher.bench;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.util.List;
import java.util.Map;

/**
 * The lateness CDFs as a PNG-ready image: one panel per scenario, one line per contender, lateness
 * on a log scale from 1 ms to 100 s (values outside are clamped to the edges). Drawn with java.awt
 * (headless), no charting library.
 */
final class LatenessChart {
  static final int WIDTH = 960;
  static final int PANEL_HEIGHT = 300;
  static final List<Color> COLORS =
      List.of(
          new Color(0x1f77b4),
          new Color(0xd62728),
          new Color(0x2ca02c),
          new Color(0x9467bd),
          new Color(0xff7f0e));
  private static final double MIN_LOG = 0; // 1 ms
  private static final double MAX_LOG = 5; // 100 s
  private static final int LEFT = 60;
  private static final int RIGHT = 260;
  private static final int TOP = 30;
  private static final int BOTTOM = 40;

  private LatenessChart() {}

  /**
   * @param panels scenario → (contender → sorted lateness in ms), in drawing order
   * @param contenders every contender, in legend order (fixes each one's color)
   */
  static BufferedImage render(Map<String, Map<String, long[]>> panels, List<String> contenders) {
    int height = Math.max(1, panels.size()) * PANEL_HEIGHT;
    BufferedImage image = new BufferedImage(WIDTH, height, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = image.createGraphics();
    g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
    g.setColor(Color.WHITE);
    g.fillRect(0, 0, WIDTH, height);
    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
    int y0 = 0;
    for (Map.Entry<String, Map<String, long[]>> panel : panels.entrySet()) {
      drawPanel(g, y0, panel.getKey(), panel.getValue(), contenders);
      y0 += PANEL_HEIGHT;
    }
    g.dispose();
    return image;
  }

  private static void drawPanel(
      Graphics2D g, int y0, String title, Map<String, long[]> lines, List<String> contenders) {
    int x1 = LEFT;
    int x2 = WIDTH - RIGHT;
    int yTop = y0 + TOP;
    int yBottom = y0 + PANEL_HEIGHT - BOTTOM;
    g.setColor(Color.BLACK);
    g.drawString(title, x1, y0 + 18);
    g.drawRect(x1, yTop, x2 - x1, yBottom - yTop);
    String[] ticks = {"1 ms", "10 ms", "100 ms", "1 s", "10 s", "100 s"};
    for (int i = 0; i <= 5; i++) {
      int x = x(i, x1, x2);
      g.setColor(Color.LIGHT_GRAY);
      g.drawLine(x, yTop, x, yBottom);
      g.setColor(Color.BLACK);
      g.drawString(ticks[i], x - 15, yBottom + 15);
    }
    for (int i = 0; i <= 4; i++) {
      int y = yBottom - (yBottom - yTop) * i / 4;
      g.setColor(Color.LIGHT_GRAY);
      g.drawLine(x1, y, x2, y);
      g.setColor(Color.BLACK);
      g.drawString(String.format("%.2f", i / 4.0), x1 - 35, y + 4);
    }
    g.drawString("lateness (log scale)", (x1 + x2) / 2 - 50, yBottom + 32);
    int legendY = yTop + 10;
    for (int c = 0; c < contenders.size(); c++) {
      long[] sorted = lines.get(contenders.get(c));
      if (sorted == null || sorted.length == 0) {
        continue;
      }
      Color color = COLORS.get(c % COLORS.size());
      g.setColor(color);
      g.setStroke(new BasicStroke(2f));
      int px = -1;
      int py = -1;
      for (int i = 0; i < sorted.length; i++) {
        double log = Math.log10(Math.max(1, sorted[i]));
        int x = x(Math.min(MAX_LOG, Math.max(MIN_LOG, log)), x1, x2);
        int y = yBottom - (int) Math.round((yBottom - yTop) * (i + 1.0) / sorted.length);
        if (px >= 0) {
          g.drawLine(px, py, x, y);
        }
        px = x;
        py = y;
      }
      g.fillRect(x2 + 15, legendY - 8, 12, 12);
      g.setColor(Color.BLACK);
      g.drawString(contenders.get(c), x2 + 32, legendY + 2);
      legendY += 20;
    }
    g.setStroke(new BasicStroke(1f));
  }

  private static int x(double log, int x1, int x2) {
    return x1 + (int) Math.round((x2 - x1) * (log - MIN_LOG) / (MAX_LOG - MIN_LOG));
  }
}

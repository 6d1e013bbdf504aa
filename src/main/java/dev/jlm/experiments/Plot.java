package dev.jlm.experiments;

import dev.jlm.JlmException;
import dev.jlm.train.RunLog;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * Loss curves of one or more runs as a PNG (JFreeChart): train (thin) and validation (thick, dashed) loss
 * against steps on the left and against wall-clock time on the right, one color per run.
 */
public final class Plot {
    private static final Color[] COLORS = {new Color(0x1f77b4), new Color(0xff7f0e), new Color(0x2ca02c), new Color(0xd62728),
            new Color(0x9467bd), new Color(0x8c564b), new Color(0xe377c2), new Color(0x7f7f7f), new Color(0xbcbd22), new Color(0x17becf)};

    private Plot() {}

    /** The longest title drawn: a title is laid out in time quadratic in its length, and a longer one would not fit anyway. */
    public static final int MAX_TITLE = 200;

    /** Refuses a title longer than {@link #MAX_TITLE}; {@code name} says where it came from ("--title"). */
    public static void requireTitle(String title, String name) {
        if (title.length() > MAX_TITLE) {
            throw new JlmException(String.format(java.util.Locale.ROOT, "%s is %,d characters long; a chart title is at most %d", name, title.length(), MAX_TITLE));
        }
    }

    /** {@code yMax} null: clipped automatically at 1.2× the highest first-step loss when a run diverged above it. */
    public static void write(List<RunLog> runs, Path png, String title, Double yMax) throws IOException {
        requireTitle(title, "title");
        if (Files.isDirectory(png)) throw new JlmException(png + " is a folder; the plot is a PNG file");
        System.setProperty("java.awt.headless", "true");
        if (yMax == null) {
            double first = 0, max = 0;
            for (RunLog r : runs) {
                if (!r.rows().isEmpty()) first = Math.max(first, r.rows().getFirst().trainLoss());
                for (RunLog.Row row : r.rows()) if (Double.isFinite(row.trainLoss())) max = Math.max(max, row.trainLoss());
            }
            if (first > 0 && max > 1.5 * first) yMax = 1.2 * first;
        }
        JFreeChart bySteps = chart(runs, false, title + " — by step", yMax);
        JFreeChart byTime = chart(runs, true, title + " — by wall time", yMax);
        int w = 1400, h = 560;
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        bySteps.draw(g, new Rectangle2D.Double(0, 0, w / 2.0, h));
        byTime.draw(g, new Rectangle2D.Double(w / 2.0, 0, w / 2.0, h));
        g.dispose();
        dev.jlm.io.AtomicFile.write(png, out -> {
            if (!ImageIO.write(img, "png", out)) throw new IOException("no PNG writer in this Java runtime");
        });
    }

    private static JFreeChart chart(List<RunLog> runs, boolean byTime, String title, Double yMax) {
        XYSeriesCollection data = new XYSeriesCollection();
        for (RunLog r : runs) {
            // a run by its folder's name; by its path where another run's folder has that name (a/run, b/run)
            String label = runs.stream().filter(o -> o.name().equals(r.name())).count() > 1 ? r.dir().toString() : r.name();
            XYSeries train = new XYSeries(label + " train"), val = new XYSeries(label + " val");
            for (RunLog.Row row : r.rows()) {
                double x = byTime ? row.wallSeconds() : row.step();
                if (Double.isFinite(row.trainLoss())) train.add(x, row.trainLoss());
                if (row.valLoss() != null) val.add(x, row.valLoss());
            }
            data.addSeries(train);
            data.addSeries(val);
        }
        JFreeChart c = ChartFactory.createXYLineChart(title, byTime ? "wall time (s)" : "step", "loss (nats/token)", data,
                PlotOrientation.VERTICAL, true, false, false);
        XYPlot plot = c.getXYPlot();
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        XYLineAndShapeRenderer r = new XYLineAndShapeRenderer(true, false);
        for (int i = 0; i < runs.size(); i++) {
            Color col = COLORS[i % COLORS.length];
            r.setSeriesPaint(2 * i, new Color(col.getRed(), col.getGreen(), col.getBlue(), 110));
            r.setSeriesStroke(2 * i, new BasicStroke(1f));
            r.setSeriesPaint(2 * i + 1, col);
            r.setSeriesStroke(2 * i + 1, new BasicStroke(2.5f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND, 1f, new float[] {8f, 4f}, 0f));
        }
        plot.setRenderer(r);
        if (yMax != null) plot.getRangeAxis().setUpperBound(yMax);
        ((org.jfree.chart.axis.NumberAxis) plot.getRangeAxis()).setAutoRangeIncludesZero(false);
        return c;
    }
}

package io.sluice.bench.broker.report;

import io.sluice.bench.broker.report.Summary.Metric;
import io.sluice.bench.broker.workload.LatencySummary;
import io.sluice.bench.broker.workload.Workload;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.text.DecimalFormat;
import java.text.FieldPosition;
import java.text.NumberFormat;
import java.text.ParsePosition;
import java.util.List;
import javax.imageio.ImageIO;
import org.HdrHistogram.Histogram;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.CategoryAxis;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberTickUnit;
import org.jfree.chart.labels.StandardCategoryItemLabelGenerator;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.category.BarRenderer;
import org.jfree.chart.renderer.category.StandardBarPainter;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.title.TextTitle;
import org.jfree.chart.ui.RectangleInsets;
import org.jfree.data.category.DefaultCategoryDataset;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * The report's PNGs: throughput bars, end-to-end latency percentile curves (log axes, one panel per
 * workload), and broker cost bars (CPU per GiB, peak RSS). Baseline blue, candidate orange,
 * everywhere. Stateless; draws headless.
 */
public final class Charts {
    static final Color BASELINE = new Color(0x4C72B0);
    static final Color CANDIDATE = new Color(0xDD8452);
    private static final Font TITLE = new Font(Font.SANS_SERIF, Font.BOLD, 16);
    private static final Font LABEL = new Font(Font.SANS_SERIF, Font.PLAIN, 12);

    private Charts() {
    }

    /** Writes throughput.png, latency.png and cost.png into {@code dir}. */
    public static void writeAll(RunResults run, Summaries summaries, Path dir) throws IOException {
        System.setProperty("java.awt.headless", "true");
        List<String> brokers = MarkdownReport.brokers(run).stream().filter(b -> !run.unavailable().containsKey(b)).toList();
        List<Workload> throughputWorkloads = run.workloads().stream()
                .filter(w -> !w.ratedByLatency()).toList();
        JFreeChart throughput = bars("Throughput (median MiB/s, higher is better)", "MiB/s", throughputWorkloads,
                brokers, summaries, Metric.MIB_PER_SEC);
        save(List.of(throughput), 1, 1100, 120 + 34 * throughputWorkloads.size() * Math.max(1, brokers.size()),
                dir.resolve("throughput.png"));

        List<Workload> latencyWorkloads = run.workloads().stream().filter(w -> w.kind() == Workload.Kind.END_TO_END).toList();
        List<JFreeChart> panels = latencyWorkloads.stream().map(w -> latencyCurves(w, brokers, summaries)).toList();
        int columns = Math.min(2, Math.max(1, panels.size()));
        int rows = Math.max(1, (panels.size() + columns - 1) / columns);
        save(panels, columns, 1100, 460 * rows, dir.resolve("latency.png"));

        List<Workload> all = run.workloads();
        JFreeChart cpu = bars("Broker CPU per GiB moved (median CPU-s/GiB, lower is better)", "CPU-s/GiB",
                all, brokers, summaries, Metric.CPU_SEC_PER_GIB);
        JFreeChart rss = bars("Broker peak RSS (median MiB, lower is better)", "MiB",
                all, brokers, summaries, Metric.PEAK_RSS_MIB);
        save(List.of(cpu, rss), 2, 1400, 120 + 30 * all.size() * Math.max(1, brokers.size()), dir.resolve("cost.png"));
    }

    private static JFreeChart bars(String title, String unit, List<Workload> workloads, List<String> brokers,
                                   Summaries summaries, Metric metric) {
        DefaultCategoryDataset data = new DefaultCategoryDataset();
        for (Workload workload : workloads) {
            for (String broker : brokers) {
                double value = summaries.get(workload.id(), broker).median(metric);
                data.addValue(Double.isNaN(value) ? null : value, broker, workload.label());
            }
        }
        JFreeChart chart = ChartFactory.createBarChart(title, null, unit, data, PlotOrientation.HORIZONTAL,
                true, false, false);
        chart.setTitle(new TextTitle(title, TITLE));
        chart.setBackgroundPaint(Color.WHITE);
        CategoryPlot plot = chart.getCategoryPlot();
        plot.setBackgroundPaint(Color.WHITE);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        CategoryAxis axis = plot.getDomainAxis();
        axis.setTickLabelFont(LABEL);
        axis.setMaximumCategoryLabelWidthRatio(0.4f);
        BarRenderer renderer = (BarRenderer) plot.getRenderer();
        renderer.setBarPainter(new StandardBarPainter());
        renderer.setShadowVisible(false);
        renderer.setItemMargin(0.05);
        renderer.setDefaultItemLabelGenerator(new StandardCategoryItemLabelGenerator("{2}", new DecimalFormat("#,##0.#")));
        renderer.setDefaultItemLabelsVisible(true);
        renderer.setDefaultItemLabelFont(LABEL);
        colour(brokers, (series, color) -> renderer.setSeriesPaint(series, color));
        plot.getRangeAxis().setUpperMargin(0.15);
        return chart;
    }

    private static JFreeChart latencyCurves(Workload workload, List<String> brokers, Summaries summaries) {
        XYSeriesCollection data = new XYSeriesCollection();
        double xMax = 100;
        for (String broker : brokers) {
            Histogram merged = summaries.get(workload.id(), broker).mergedLatency();
            XYSeries series = new XYSeries(broker + (merged.getTotalCount() == 0 ? " (no data)" : ""), false);
            for (double[] point : LatencySummary.curve(merged)) {
                // x = 1 / (1 - percentile): 2 at p50, 10 at p90, 1000 at p99.9; a log axis spreads the nines evenly.
                double x = 1 / (1 - point[0] / 100.0);
                series.add(x, Math.max(point[1], 0.001));
                xMax = Math.max(xMax, x);
            }
            data.addSeries(series);
        }
        String title = "End-to-end latency, " + workload.label();
        JFreeChart chart = ChartFactory.createXYLineChart(title, "percentile", "latency (ms, log)", data,
                PlotOrientation.VERTICAL, true, false, false);
        chart.setTitle(new TextTitle(title, TITLE));
        chart.setBackgroundPaint(Color.WHITE);
        // Room on the right for the last percentile label, which sits on the plot's edge.
        chart.setPadding(new RectangleInsets(4, 4, 4, 36));
        XYPlot plot = chart.getXYPlot();
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        LogAxis x = new LogAxis("percentile");
        x.setBase(10);
        x.setTickUnit(new NumberTickUnit(1));
        x.setNumberFormatOverride(new PercentileFormat());
        x.setRange(1, Math.pow(10, Math.ceil(Math.log10(xMax * 1.01))));
        x.setTickLabelFont(LABEL);
        plot.setDomainAxis(x);
        LogAxis y = new LogAxis("latency (ms, log scale)");
        y.setBase(10);
        y.setSmallestValue(0.001);
        // One tick per doubling (…, 1, 2, 4, 8, 16 ms, …): round labels, and a 2× gap reads as one step.
        y.setTickUnit(new NumberTickUnit(Math.log10(2)));
        y.setNumberFormatOverride(new DecimalFormat("#,##0.###"));
        y.setTickLabelFont(LABEL);
        plot.setRangeAxis(y);
        XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, false);
        colour(brokers, (series, color) -> {
            renderer.setSeriesPaint(series, color);
            renderer.setSeriesStroke(series, new BasicStroke(2.5f));
        });
        plot.setRenderer(renderer);
        return chart;
    }

    private static void colour(List<String> brokers, SeriesColour apply) {
        for (int i = 0; i < brokers.size(); i++) {
            apply.accept(i, i == 0 ? BASELINE : CANDIDATE);
        }
    }

    @FunctionalInterface
    private interface SeriesColour {
        void accept(int series, Color color);
    }

    private static void save(List<JFreeChart> charts, int columns, int width, int height, Path file) throws IOException {
        BufferedImage image = new BufferedImage(width, Math.max(height, 300), BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, image.getWidth(), image.getHeight());
        if (charts.isEmpty()) {
            g.setColor(Color.DARK_GRAY);
            g.setFont(TITLE);
            g.drawString("no data for this chart in this run", 40, 60);
        }
        int rows = Math.max(1, (charts.size() + columns - 1) / columns);
        double cellWidth = (double) width / columns;
        double cellHeight = (double) image.getHeight() / rows;
        for (int i = 0; i < charts.size(); i++) {
            charts.get(i).draw(g, new Rectangle2D.Double((i % columns) * cellWidth, (i / columns) * cellHeight,
                    cellWidth, cellHeight));
        }
        g.dispose();
        ImageIO.write(image, "png", file.toFile());
    }

    /** Tick labels for x = 1/(1-p): 1 → 0%, 10 → 90%, 1000 → 99.9%. */
    private static final class PercentileFormat extends NumberFormat {
        private static final long serialVersionUID = 1L;

        @Override
        public StringBuffer format(double x, StringBuffer out, FieldPosition pos) {
            double percentile = 100 * (1 - 1 / x);
            return out.append(new DecimalFormat("0.####").format(percentile)).append('%');
        }

        @Override
        public StringBuffer format(long x, StringBuffer out, FieldPosition pos) {
            return format((double) x, out, pos);
        }

        @Override
        public Number parse(String source, ParsePosition pos) {
            throw new UnsupportedOperationException("labels only");
        }
    }
}

package org.detrdistill.core.train;

import com.fasterxml.jackson.databind.JsonNode;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Loss-curve and AP-curve PNGs (XChart, headless AWT: run with {@code -Djava.awt.headless=true} on machines with a
 * display variable but no display). The loss chart plots, against the step, the total loss and the weighted terms of
 * the last decoder stage (names not ending in {@code _<digits>}), averaged over bins so that at most
 * {@value #MAX_POINTS} points are drawn per series. The AP chart plots every evaluation metric against the epoch.
 * Files are rewritten atomically (temporary file, then rename) after each epoch (loss), each evaluation (AP) and at
 * the end. A step reported twice (a resumed run) keeps its last values. Not thread-safe.
 */
public final class TrainingCurves implements TrainingListener {
    /** Largest number of points drawn per series. */
    public static final int MAX_POINTS = 1000;
    private static final Pattern AUX = Pattern.compile(".*_\\d+$");

    private final Path lossPng;
    private final Path apPng;
    private final int width;
    private final int height;
    private final TreeMap<Long, Map<String, Double>> losses = new TreeMap<>();
    private final TreeMap<Long, EvalStats> evals = new TreeMap<>();

    /**
     * @param lossPng where the loss chart goes (null = none)
     * @param apPng   where the AP chart goes (null = none)
     */
    public TrainingCurves(Path lossPng, Path apPng) { this(lossPng, apPng, 900, 540); }

    /** As {@link #TrainingCurves(Path, Path)} with an explicit image size in pixels. */
    public TrainingCurves(Path lossPng, Path apPng, int width, int height) {
        if (width < 100 || height < 100) throw new IllegalArgumentException("image size must be at least 100x100, got " + width + "x" + height);
        this.lossPng = lossPng;
        this.apPng = apPng;
        this.width = width;
        this.height = height;
    }

    /**
     * Redraws both charts from a {@link JsonLinesMetrics} file (e.g. after a run, or of a run still going).
     *
     * @throws IOException if the metrics file cannot be read or a chart cannot be written
     */
    public static TrainingCurves fromMetricsFile(Path metricsJsonl, Path lossPng, Path apPng) throws IOException {
        TrainingCurves c = new TrainingCurves(lossPng, apPng);
        for (JsonNode r : JsonLinesMetrics.read(metricsJsonl)) {
            switch (r.get("type").asText()) {
                case "step" -> {
                    Map<String, Double> w = new LinkedHashMap<>();
                    for (Iterator<Map.Entry<String, JsonNode>> it = r.path("weighted").fields(); it.hasNext(); ) {
                        Map.Entry<String, JsonNode> e = it.next();
                        w.put(e.getKey(), number(e.getValue()));
                    }
                    c.addStep(r.path("step").asLong(), number(r.path("loss")), w);
                }
                case "eval" -> {
                    Map<String, Double> m = new LinkedHashMap<>();
                    for (Iterator<Map.Entry<String, JsonNode>> it = r.path("metrics").fields(); it.hasNext(); ) {
                        Map.Entry<String, JsonNode> e = it.next();
                        m.put(e.getKey(), number(e.getValue()));
                    }
                    c.evals.put(r.path("step").asLong(), new EvalStats(r.path("step").asLong(), r.path("epoch").asInt(), m));
                }
                default -> { }
            }
        }
        c.writeCharts();
        return c;
    }

    private static double number(JsonNode n) { return n.isNumber() ? n.asDouble() : Double.NaN; }

    @Override
    public void onStepEnd(StepMetrics m) { addStep(m.step(), m.totalLoss(), m.weighted()); }

    private void addStep(long step, double total, Map<String, Double> weighted) {
        Map<String, Double> v = new LinkedHashMap<>();
        v.put("loss", total);
        new TreeMap<>(weighted).forEach((k, x) -> { if (!AUX.matcher(k).matches()) v.put(k, x); });
        losses.put(step, v);
    }

    @Override
    public void onEpochEnd(int epoch, long step) { writeLossChart(); }

    @Override
    public void onEval(EvalStats stats) {
        evals.put(stats.step(), stats);
        writeApChart();
    }

    @Override
    public void onTrainEnd(long step, Throwable failure) { writeCharts(); }

    /** Writes both charts now (those with a path and data). */
    public void writeCharts() {
        writeLossChart();
        writeApChart();
    }

    /** Writes the loss chart if it has a path and at least one step. @throws UncheckedIOException on I/O failure */
    public void writeLossChart() {
        if (lossPng == null || losses.isEmpty()) return;
        XYChart chart = new XYChartBuilder().width(width).height(height).title("Training loss").xAxisTitle("step").yAxisTitle("loss").build();
        Set<String> names = new LinkedHashSet<>();
        losses.values().forEach(v -> names.addAll(v.keySet()));
        for (String name : names) {
            List<double[]> pts = new ArrayList<>();
            losses.forEach((s, v) -> { Double y = v.get(name); if (y != null && Double.isFinite(y)) pts.add(new double[] {s, y}); });
            addSeries(chart, name, binned(pts));
        }
        save(chart, lossPng);
    }

    /** Writes the AP chart if it has a path and at least one evaluation. @throws UncheckedIOException on I/O failure */
    public void writeApChart() {
        if (apPng == null || evals.isEmpty()) return;
        XYChart chart = new XYChartBuilder().width(width).height(height).title("Evaluation").xAxisTitle("epoch").yAxisTitle("AP").build();
        Set<String> names = new LinkedHashSet<>();
        evals.values().forEach(e -> names.addAll(e.metrics().keySet()));
        for (String name : names) {
            List<double[]> pts = new ArrayList<>();
            for (EvalStats e : evals.values()) {
                double y = e.get(name);
                if (Double.isFinite(y) && y >= 0) pts.add(new double[] {e.epoch(), y});
            }
            XYSeries s = addSeries(chart, name, pts);
            if (s != null) s.setMarker(SeriesMarkers.CIRCLE);
        }
        save(chart, apPng);
    }

    private static XYSeries addSeries(XYChart chart, String name, List<double[]> pts) {
        if (pts.isEmpty()) return null;
        double[] x = new double[pts.size()], y = new double[pts.size()];
        for (int i = 0; i < x.length; i++) {
            x[i] = pts.get(i)[0];
            y[i] = pts.get(i)[1];
        }
        XYSeries s = chart.addSeries(name, x, y);
        s.setMarker(SeriesMarkers.NONE);
        return s;
    }

    /** Means over consecutive bins so that at most {@link #MAX_POINTS} points remain. */
    static List<double[]> binned(List<double[]> pts) {
        if (pts.size() <= MAX_POINTS) return pts;
        int per = (pts.size() + MAX_POINTS - 1) / MAX_POINTS;
        List<double[]> out = new ArrayList<>();
        for (int i = 0; i < pts.size(); i += per) {
            int end = Math.min(pts.size(), i + per);
            double sx = 0, sy = 0;
            for (int j = i; j < end; j++) {
                sx += pts.get(j)[0];
                sy += pts.get(j)[1];
            }
            out.add(new double[] {sx / (end - i), sy / (end - i)});
        }
        return out;
    }

    private static void save(XYChart chart, Path png) {
        Path tmp = png.resolveSibling("." + png.getFileName() + ".tmp");
        try {
            Path parent = png.toAbsolutePath().getParent();
            if (parent != null) Files.createDirectories(parent);
            Files.write(tmp, BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG));
            Files.move(tmp, png, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // the original error matters more
            }
            throw new UncheckedIOException("cannot write chart " + png, e);
        }
    }

    /** Steps recorded so far (for tests and tools). */
    public int stepCount() { return losses.size(); }

    /** Evaluations recorded so far. */
    public int evalCount() { return evals.size(); }

    @Override
    public String toString() {
        return "TrainingCurves[" + Objects.toString(lossPng) + ", " + Objects.toString(apPng) + "]";
    }
}

package org.detrdistill.core.train;

import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * A one-line console progress bar, redrawn with {@code '\r'} after every step:
 * <pre>
 * ep 3 [=========&gt;          ]  1234/5000  24.7% | 3.21 it/s | ETA 0:19:35 | lr 2.0e-04 | loss 1.234 bbox 0.301 ce 0.212
 * </pre>
 * Progress counts global steps of the whole run ({@code totalSteps}); the speed is the caller's it/s
 * ({@link StepMetrics#itPerSec()}); losses are exponential moving averages with bias correction (the total and the
 * weighted terms of the last decoder stage, i.e. names not ending in {@code _<digits>}, at most 6). Off (prints
 * nothing) when disabled, which {@link #auto} does when {@code System.console()} is null (output redirected, CI,
 * tests) or the system property {@value #DISABLE_PROPERTY} is true. Not thread-safe.
 */
public final class ConsoleProgress implements TrainingListener {
    /** System property that turns the bar off in {@link #auto}. */
    public static final String DISABLE_PROPERTY = "detrdistill.progress.off";
    private static final Pattern AUX = Pattern.compile(".*_\\d+$");
    private static final int MAX_TERMS = 6;

    private final PrintStream out;
    private final long totalSteps;
    private final boolean enabled;
    private final double beta;
    private final int width;
    private final Map<String, double[]> ema = new LinkedHashMap<>(); // name -> {value, count}
    private boolean lineOpen;

    /**
     * @param out        where to draw (usually {@code System.err} or {@code System.out})
     * @param totalSteps steps of the whole run (for the bar and the ETA), >= 1
     * @param enabled    false = print nothing
     * @param beta       smoothing of the moving averages, in [0,1) (0.98 ~ the last 50 steps; 0 = no smoothing)
     * @param width      characters of the bar, >= 1
     */
    public ConsoleProgress(PrintStream out, long totalSteps, boolean enabled, double beta, int width) {
        this.out = Objects.requireNonNull(out, "out");
        if (totalSteps < 1) throw new IllegalArgumentException("totalSteps must be >= 1, got " + totalSteps);
        if (!(beta >= 0 && beta < 1)) throw new IllegalArgumentException("beta must be in [0,1), got " + beta);
        if (width < 1) throw new IllegalArgumentException("width must be >= 1, got " + width);
        this.totalSteps = totalSteps;
        this.enabled = enabled;
        this.beta = beta;
        this.width = width;
    }

    /** A bar on {@code System.err}, on only for an interactive console (see the class comment); beta 0.98, width 30. */
    public static ConsoleProgress auto(long totalSteps) {
        boolean on = System.console() != null && !Boolean.getBoolean(DISABLE_PROPERTY);
        return new ConsoleProgress(System.err, totalSteps, on, 0.98, 30);
    }

    public boolean enabled() { return enabled; }

    @Override
    public void onStepEnd(StepMetrics m) {
        update("loss", m.totalLoss());
        for (Map.Entry<String, Double> e : new TreeMap<>(m.weighted()).entrySet()) {
            if (!AUX.matcher(e.getKey()).matches()) update(e.getKey(), e.getValue());
        }
        if (!enabled) return;
        out.print("\r" + render(m));
        out.flush();
        lineOpen = true;
    }

    @Override
    public void onEpochEnd(int epoch, long step) {
        if (!enabled) return;
        endLine();
        out.printf(Locale.ROOT, "epoch %d done at step %d%s%n", epoch, step, smoothedTerms());
    }

    @Override
    public void onEval(EvalStats stats) {
        if (!enabled) return;
        endLine();
        StringBuilder b = new StringBuilder("eval after epoch " + stats.epoch() + ":");
        stats.metrics().forEach((k, v) -> b.append(String.format(Locale.ROOT, " %s %.4f", k, v)));
        out.println(b);
    }

    @Override
    public void onTrainEnd(long step, Throwable failure) {
        if (!enabled) return;
        endLine();
        out.println(failure == null ? "training finished at step " + step : "training stopped at step " + step + ": " + failure.getMessage());
    }

    private void endLine() {
        if (lineOpen) out.println();
        lineOpen = false;
    }

    private void update(String name, double x) {
        double[] s = ema.computeIfAbsent(name, k -> new double[2]);
        s[0] = beta * s[0] + (1 - beta) * x;
        s[1]++;
    }

    /** The smoothed value of {@code name} (bias-corrected), NaN if never seen. */
    public double smoothed(String name) {
        double[] s = ema.get(name);
        return s == null ? Double.NaN : s[0] / (1 - Math.pow(beta, s[1]));
    }

    /** The bar line for {@code m} (without {@code '\r'}), as {@link #onStepEnd} prints it. */
    public String render(StepMetrics m) {
        long done = Math.min(m.step() + 1, totalSteps);
        double frac = done / (double) totalSteps;
        int filled = (int) Math.floor(frac * width);
        StringBuilder bar = new StringBuilder();
        for (int i = 0; i < width; i++) bar.append(i < filled ? '=' : i == filled ? '>' : ' ');
        String digits = Long.toString(totalSteps);
        String eta = Double.isFinite(m.itPerSec()) && m.itPerSec() > 0 ? duration((totalSteps - done) / m.itPerSec()) : "?";
        return String.format(Locale.ROOT, "ep %d [%s] %" + digits.length() + "d/%s %5.1f%% | %.2f it/s | ETA %s | lr %.1e |%s",
                m.epoch(), bar, done, digits, 100 * frac, m.itPerSec(), eta, m.lr(), smoothedTerms());
    }

    private String smoothedTerms() {
        StringBuilder b = new StringBuilder();
        int shown = 0;
        for (String name : ema.keySet()) {
            if (shown++ > MAX_TERMS) break;
            String label = name.equals("loss") ? name : name.replaceFirst("^loss_", "");
            b.append(String.format(Locale.ROOT, " %s %.4g", label, smoothed(name)));
        }
        return b.toString();
    }

    /** {@code h:mm:ss}. */
    static String duration(double seconds) {
        long s = Math.round(seconds);
        return String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60);
    }
}

package org.detrdistill.core.train;

import org.detrdistill.core.internal.dl4j.FastExecution;
import org.detrdistill.core.internal.dl4j.StagedGradients;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.api.OutAndGrad;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One optimisation step on a SameDiff graph, independent of what the graph computes:
 * <ol>
 *   <li>one forward + backward pass, giving the requested loss terms and the gradients of the graph's loss variables
 *       w.r.t. every trainable parameter ({@link ParamGroups#trainableParameters}: VARIABLEs that are not frozen). With
 *       {@link StagedFeeds} whose part comes from the forward pass (matching targets), that part is computed between
 *       the forward and the backward pass of the same call ({@code internal.dl4j.StagedGradients}); otherwise it is
 *       {@code sd.calculateGradientsAndOutputs(feeds, outputs, trainable)};</li>
 *   <li>{@link NonFiniteGuard}: NaN/Inf in a requested output or a gradient throws {@link NonFiniteException} before
 *       anything changes;</li>
 *   <li>{@link GradientClipper} (global L2 norm, in place);</li>
 *   <li>{@link AdamW} update in place on the graph's arrays at {@code schedule.lr(step)}.</li>
 * </ol>
 * The graph's loss variables ({@code sd.setLossVariables}) define what is minimised; their gradients are summed, as
 * SameDiff does. Parameters the loss does not reach get no gradient and are skipped by the optimizer (torch's
 * {@code grad is None}). Not thread-safe (the optimizer is not).
 */
public final class GradientStep {
    private final AdamW optimizer;
    private final LrSchedule schedule;
    private final GradientClipper clipper;

    public GradientStep(AdamW optimizer, LrSchedule schedule, GradientClipper clipper) {
        this.optimizer = Objects.requireNonNull(optimizer, "optimizer");
        this.schedule = Objects.requireNonNull(schedule, "schedule");
        this.clipper = Objects.requireNonNull(clipper, "clipper");
        FastExecution.install();
    }

    public AdamW optimizer() { return optimizer; }

    public LrSchedule schedule() { return schedule; }

    public GradientClipper clipper() { return clipper; }

    /**
     * Runs step {@code step}.
     *
     * @param sd      the graph, with loss variables set
     * @param feeds   placeholder values by name
     * @param outputs scalar variables to return (loss terms, weighted and unweighted); may be empty
     * @param step    0-based global iteration (selects the learning rate)
     * @throws NonFiniteException       if an output or a gradient is NaN/Inf (nothing was changed)
     * @throws IllegalArgumentException if the graph has no loss variable, an output is unknown or not a scalar
     */
    public StepResult run(SameDiff sd, Map<String, INDArray> feeds, Collection<String> outputs, long step) {
        return run(sd, StagedFeeds.of(feeds), outputs, step);
    }

    /**
     * Runs step {@code step} with placeholder values partly computed from the forward pass (see {@link StagedFeeds}).
     *
     * @throws NonFiniteException       if an output or a gradient is NaN/Inf, or {@code feeds.fromForward} throws it
     *                                  (nothing was changed)
     * @throws IllegalArgumentException if the graph has no loss variable, an output is unknown or not a scalar
     */
    public StepResult run(SameDiff sd, StagedFeeds feeds, Collection<String> outputs, long step) {
        List<String> lossVars = sd.getLossVariables();
        if (lossVars == null || lossVars.isEmpty()) {
            throw new IllegalArgumentException("the graph has no loss variable: call sd.setLossVariables(...) first");
        }
        for (String o : outputs) {
            if (!sd.hasVariable(o)) throw new IllegalArgumentException("unknown output '" + o + "': no such variable in the graph");
        }
        double lr = schedule.lr(step);
        List<String> trainable = optimizer.groups().trainableParameters(sd);
        Map<String, INDArray> outValues, gradValues;
        if (feeds.staged()) {
            StagedGradients.Result r = StagedGradients.run(sd, feeds.known(), feeds.forwardOutputs(), feeds.fromForward(),
                    outputs, trainable);
            outValues = r.outputs();
            gradValues = r.gradients();
        } else {
            OutAndGrad og = sd.calculateGradientsAndOutputs(feeds.known(), new ArrayList<>(outputs), trainable);
            outValues = og.getOutputs();
            gradValues = og.getGradients();
        }

        Map<String, Double> values = new LinkedHashMap<>();
        for (String o : outputs) {
            INDArray a = outValues.get(o);
            if (a == null) throw new IllegalStateException("SameDiff returned no value for output '" + o + "'");
            if (a.length() != 1) {
                throw new IllegalArgumentException("output '" + o + "' must be a scalar, got shape " + Arrays.toString(a.shape()));
            }
            values.put(o, a.getDouble(0));
        }
        NonFiniteGuard.checkLosses(step, values);

        Map<String, INDArray> grads = new LinkedHashMap<>();
        for (String p : trainable) {
            INDArray g = gradValues.get(p);
            if (g != null) grads.put(p, g);
        }
        double norm = GradientClipper.globalNorm(grads);
        NonFiniteGuard.checkGradients(step, grads, norm);
        boolean clipped = clipper.scale(grads, norm);
        optimizer.step(sd, grads, lr);
        return new StepResult(step, values, lr, norm, clipped);
    }
}

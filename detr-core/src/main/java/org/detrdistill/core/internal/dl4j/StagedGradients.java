package org.detrdistill.core.internal.dl4j;

import org.nd4j.autodiff.listeners.At;
import org.nd4j.autodiff.listeners.Operation;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.api.OutAndGrad;
import org.nd4j.autodiff.samediff.internal.InferenceSession;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * A forward + backward pass whose loss needs placeholder values computed from the forward pass itself, e.g. the
 * Hungarian matching of a detector's predictions to the ground truth: {@code sd.calculateGradientsAndOutputs} cannot
 * pause between the two, so the stock way is a separate forward pass first (the same forward computed twice).
 *
 * <p>With the plan executor ({@link FastExecution}) the gradient graph runs once, in two stages
 * ({@link PlanSession}): the ops that do not need the missing placeholders (the whole forward pass), then
 * {@code between} on the requested forward values, then the rest (loss and backward pass). The result is the same as
 * the two-pass way, value for value. Without the plan executor (or for a graph it cannot plan) it runs the two passes.
 */
public final class StagedGradients {

    /**
     * What one staged pass computed.
     *
     * @param early      the forward values handed to {@code between}, by name
     * @param outputs    the requested outputs, by name
     * @param gradients  gradient by variable name (variables without a gradient are absent)
     * @param singlePass whether the forward pass ran once (false: the two-pass fallback)
     */
    public record Result(Map<String, INDArray> early, Map<String, INDArray> outputs, Map<String, INDArray> gradients,
                         boolean singlePass) {}

    private StagedGradients() {}

    /**
     * Runs the staged forward + backward pass of {@code sd}'s loss variables.
     *
     * @param known       placeholder values known in advance
     * @param early       forward values {@code between} needs; they must not depend on placeholders missing from
     *                    {@code known}
     * @param between     the missing placeholder values from the {@code early} values
     * @param outputs     values to return (e.g. loss terms)
     * @param gradientsOf variables whose gradients to return
     */
    public static Result run(SameDiff sd, Map<String, INDArray> known, List<String> early,
                             Function<Map<String, INDArray>, Map<String, INDArray>> between,
                             Collection<String> outputs, Collection<String> gradientsOf) {
        PlanSession session = FastExecution.isInstalled() ? gradientSession(sd) : null;
        if (session != null) {
            Map<String, String> gradientNames = new LinkedHashMap<>();
            for (String v : gradientsOf) {
                SDVariable g = sd.getVariable(v).getGradient();
                if (g != null) gradientNames.put(v, g.name());
            }
            Set<String> requested = new LinkedHashSet<>(outputs);
            requested.addAll(gradientNames.values());
            Map<String, INDArray> all = session.runStaged(new ArrayList<>(requested), known, early, between,
                    sd.getListeners(), At.defaultAt(Operation.TRAINING));
            if (all != null) {
                Map<String, INDArray> e = new LinkedHashMap<>(), o = new LinkedHashMap<>(), g = new LinkedHashMap<>();
                for (String n : early) e.put(n, all.get(n));
                for (String n : outputs) o.put(n, all.get(n));
                gradientNames.forEach((v, n) -> g.put(v, all.get(n)));
                return new Result(e, o, g, true);
            }
        }
        Map<String, INDArray> first = new LinkedHashMap<>(sd.output(known, early.toArray(new String[0])));
        Map<String, INDArray> feeds = new HashMap<>(known);
        Map<String, INDArray> more = between.apply(java.util.Collections.unmodifiableMap(first));
        if (more != null) feeds.putAll(more);
        OutAndGrad og = sd.calculateGradientsAndOutputs(feeds, new ArrayList<>(outputs), new ArrayList<>(gradientsOf));
        Map<String, INDArray> g = new LinkedHashMap<>();
        og.getGradients().forEach((k, v) -> { if (v != null) g.put(k, v); });
        return new Result(first, new LinkedHashMap<>(og.getOutputs()), g, false);
    }

    /**
     * The session SameDiff keeps for {@code sd}'s gradient graph on this thread (creating the gradient graph and the
     * session as {@code calculateGradients} would), or null if it is not a {@link PlanSession}.
     */
    private static PlanSession gradientSession(SameDiff sd) {
        if (sd.getFunction("grad") == null) sd.createGradFunction();
        SameDiff grad = sd.getFunction("grad");
        Map<Long, InferenceSession> sessions = sessions(grad);
        if (sessions == null) return null;
        long thread = Thread.currentThread().getId();
        InferenceSession s = sessions.get(thread);
        if (s == null) {
            s = SameDiff.getInferenceFactory().create(grad);
            sessions.put(thread, s);
        }
        return s instanceof PlanSession p ? p : null;
    }

    /** The session {@code sd} holds for the calling thread, or null (for tests and diagnostics). */
    static InferenceSession sessionOf(SameDiff sd) {
        Map<Long, InferenceSession> sessions = sessions(sd);
        return sessions == null ? null : sessions.get(Thread.currentThread().getId());
    }

    /** {@code SameDiff.sessions} (private in nd4j-api 1.0.0-M2.1), or null if it cannot be read. */
    @SuppressWarnings("unchecked")
    private static Map<Long, InferenceSession> sessions(SameDiff sd) {
        try {
            Field f = SameDiff.class.getDeclaredField("sessions");
            f.setAccessible(true);
            return (Map<Long, InferenceSession>) f.get(sd);
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }
}

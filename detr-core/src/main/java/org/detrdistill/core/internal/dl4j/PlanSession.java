package org.detrdistill.core.internal.dl4j;

import org.nd4j.autodiff.listeners.At;
import org.nd4j.autodiff.listeners.Listener;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.autodiff.samediff.config.ExecutionResult;
import org.nd4j.autodiff.samediff.config.SDValue;
import org.nd4j.autodiff.samediff.config.SDValueType;
import org.nd4j.autodiff.samediff.internal.AbstractSession;
import org.nd4j.autodiff.samediff.internal.FrameIter;
import org.nd4j.autodiff.samediff.internal.InferenceSession;
import org.nd4j.autodiff.samediff.internal.SameDiffOp;
import org.nd4j.autodiff.samediff.internal.Variable;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.OpContext;
import org.nd4j.linalg.api.ops.impl.transforms.segment.UnsortedSegmentSum;
import org.nd4j.linalg.dataset.api.MultiDataSet;

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
 * An {@link InferenceSession} that runs plain dataflow graphs from a cached {@link ExecutionPlan} instead of
 * re-deriving the schedule on every call, with pooled output arrays ({@link ArrayPool}). Each op is still prepared and
 * executed by the stock per-op code ({@code getAndParameterizeOp}, {@code getOutputs}: output shapes, allocation,
 * the native call, listeners), so op semantics are unchanged; what is skipped is the per-call overhead that
 * {@code AbstractSession.output} spends outside the ops in nd4j-api 1.0.0-M2.1:
 * <ul>
 *   <li>the validation of every requested output against a freshly built map of all variables ({@code
 *       SameDiff.variableMap()} once per requested output: 136 maps of ~6,000 entries per detector training step);</li>
 *   <li>the subgraph search ({@code initSubgraph}, a regular expression compiled per visited variable);</li>
 *   <li>the dependency tracker over every variable, constant and op of the graph, and frame bookkeeping;</li>
 *   <li>fresh native arrays for every op output: the gradient graph never returns arrays to the cache
 *       ({@code calculateGradients} turns caching off for it).</li>
 * </ul>
 * {@code unsorted_segment_sum} runs as a host loop ({@link HostSegmentSum}, ~20× faster than the native op at the row
 * gathers' sizes). Anything else (control flow, tensor arrays, control dependencies, value placeholders, extra required
 * activations) goes to the stock executor. Installed for all new sessions by {@link FastExecution#install()}.
 *
 * <p>Arrays returned to the caller are never reused; every other array of a call is back in the pool when the call
 * returns. A listener that keeps references to activation arrays (rather than copying them) would see them reused.
 */
final class PlanSession extends InferenceSession {
    private static final int MAX_PLANS = 64;

    private record PlanKey(Set<String> requested, Set<String> deferred, int ops, int variables) {}

    private final ArrayPool pool;
    private final Map<PlanKey, ExecutionPlan> plans = new LinkedHashMap<>(16, 0.75f, true) {
        @Override protected boolean removeEldestEntry(Map.Entry<PlanKey, ExecutionPlan> e) { return size() > MAX_PLANS; }
    };
    private final Set<PlanKey> unplannable = new LinkedHashSet<>();
    private long plannedCalls;
    private long stockCalls;

    PlanSession(SameDiff sameDiff) {
        super(sameDiff);
        this.pool = new ArrayPool();
        setMmgr(pool);
    }

    @Override
    public ExecutionResult output(List<String> variables, Map<String, INDArray> placeholderValues,
                                  Map<String, SDValue> otherPlaceholderValues, MultiDataSet batch,
                                  Collection<String> requiredActivations, List<Listener> listeners, At at) {
        ExecutionPlan plan = null;
        if (variables != null && !variables.isEmpty() && (otherPlaceholderValues == null || otherPlaceholderValues.isEmpty())
                && (requiredActivations == null || requiredActivations.isEmpty())) {
            plan = plan(variables);
        }
        if (plan == null) {
            stockCalls++;
            return super.output(variables, placeholderValues, otherPlaceholderValues, batch, requiredActivations, listeners, at);
        }
        plannedCalls++;
        return run(plan, placeholderValues, null, null, batch, listeners == null ? List.of() : listeners,
                at == null ? At.defaultAt() : at);
    }

    /**
     * Computes {@code requested} in two stages within one call: first everything that does not need a placeholder
     * missing from {@code known} (this must include {@code early}), then {@code between} turns the values of
     * {@code early} into the missing placeholders, then the rest runs. Values of the first stage are not recomputed.
     *
     * @return every requested value (including {@code early}), or null if the graph cannot be planned (then the
     *         caller must compute the stages itself)
     * @throws IllegalStateException if an {@code early} value depends on a missing placeholder, or {@code between}
     *                               does not supply every missing placeholder
     */
    Map<String, INDArray> runStaged(Collection<String> requested, Map<String, INDArray> known, Collection<String> early,
                                    Function<Map<String, INDArray>, Map<String, INDArray>> between, List<Listener> listeners,
                                    At at) {
        Set<String> all = new LinkedHashSet<>(early);
        all.addAll(requested);
        ExecutionPlan probe = plan(new ArrayList<>(all), Set.of());
        if (probe == null) return null;
        Set<String> deferred = new LinkedHashSet<>(probe.placeholders());
        deferred.removeAll(known.keySet());
        ExecutionPlan plan = plan(new ArrayList<>(all), deferred);
        if (plan == null) return null;
        plannedCalls++;
        ExecutionResult r = run(plan, known, Set.copyOf(early), between, null, listeners == null ? List.of() : listeners,
                at == null ? At.defaultAt() : at);
        Map<String, INDArray> out = new LinkedHashMap<>();
        r.getValueOutputs().forEach((k, v) -> out.put(k, v.getTensorValue()));
        return out;
    }

    /** Calls run from a plan so far. */
    long plannedCalls() { return plannedCalls; }

    /** Calls handed to the stock executor so far. */
    long stockCalls() { return stockCalls; }

    /** The session's array pool. */
    ArrayPool pool() { return pool; }

    private ExecutionPlan plan(List<String> variables) {
        return plan(variables, Set.of());
    }

    private ExecutionPlan plan(List<String> variables, Set<String> deferred) {
        PlanKey key = new PlanKey(Set.copyOf(variables), Set.copyOf(deferred), sameDiff.getOps().size(),
                sameDiff.getVariables().size());
        if (unplannable.contains(key)) return null;
        ExecutionPlan plan = plans.get(key);
        if (plan == null) {
            plan = ExecutionPlan.of(sameDiff, variables, deferred);
            if (plan == null) {
                unplannable.add(key);
                return null;
            }
            plans.put(key, plan);
        }
        return plan;
    }

    private ExecutionResult run(ExecutionPlan plan, Map<String, INDArray> provided, Set<String> early,
                                Function<Map<String, INDArray>, Map<String, INDArray>> between, MultiDataSet batch,
                                List<Listener> listeners, At at) {
        Map<String, INDArray> placeholders = placeholders(plan, provided, plan.deferred());
        FrameIter frame = new FrameIter(AbstractSession.OUTER_FRAME, 0, null);
        Set<AbstractSession.VarId> none = Set.of();
        Map<String, SDValue> noValues = Map.of();
        getArrayUseTracker().clear();
        freedArrays.clear();
        subgraph.clear();
        subgraphOps.clear();
        nodeValueOutputs.clear();
        pool.begin();
        try {
            for (Map.Entry<String, INDArray> e : placeholders.entrySet()) {
                nodeValueOutputs.put(frame.toVarId(e.getKey()), SDValue.create(e.getValue()));
            }
            for (String c : plan.stored()) nodeValueOutputs.put(frame.toVarId(c), SDValue.create(getConstantOrVariable(c)));
            Map<String, SDValue> out = new LinkedHashMap<>();
            for (String r : plan.requested()) {
                Variable v = sameDiff.getVariables().get(r);
                VariableType t = v.getVariable().getVariableType();
                if (t == VariableType.PLACEHOLDER) out.put(r, SDValue.create(placeholders.get(r)));
                else if (t == VariableType.CONSTANT || t == VariableType.VARIABLE) out.put(r, SDValue.create(getConstantOrVariable(r)));
            }
            List<ExecutionPlan.Step> steps = plan.steps();
            boolean staged = between == null;
            for (int index = 0; index <= steps.size(); index++) {
                if (!staged && index == plan.split()) {
                    placeholders = placeholders(plan, supplied(plan, provided, early, out, between), Set.of());
                    for (String d : plan.deferred()) nodeValueOutputs.put(frame.toVarId(d), SDValue.create(placeholders.get(d)));
                    staged = true;
                }
                if (index == steps.size()) break;
                ExecutionPlan.Step step = steps.get(index);
                INDArray[] host = hostKernel(step, frame, listeners, at, batch);
                ExecutionResult r = null;
                if (host == null) {
                    Pair<SameDiffOp, OpContext> op = getAndParameterizeOp(step.opName(), frame, step.opInputs(), none,
                            step.constAndPh(), placeholders, plan.requested(), noValues);
                    r = getOutputs(op, frame, step.opInputs(), none, step.constAndPh(), listeners, at, batch,
                            plan.requested(), noValues);
                }
                List<String> outs = step.outputs();
                for (int i = 0; i < outs.size(); i++) {
                    INDArray a = host != null ? host[i] : result(r, i, step);
                    SDValue value = SDValue.create(a);
                    nodeValueOutputs.put(step.outIds().get(i), value);
                    pool.retain(a);
                    if (plan.requested().contains(outs.get(i))) {
                        pool.pin(a);
                        out.put(outs.get(i), value);
                    }
                }
                for (String d : step.dying()) {
                    SDValue v = nodeValueOutputs.remove(frame.toVarId(d));
                    if (v != null) pool.drop(v.getTensorValue());
                }
            }
            return ExecutionResult.builder().valueOutputs(out).build();
        } finally {
            pool.end();
            nodeValueOutputs.clear();
        }
    }

    /**
     * Runs the op of {@code step} on the host if a host kernel covers it ({@link HostSegmentSum} for
     * {@code unsorted_segment_sum}), calling the listeners as the stock code does (without an op context).
     *
     * @return the op's outputs, or null to run the native op
     */
    private INDArray[] hostKernel(ExecutionPlan.Step step, FrameIter frame, List<Listener> listeners, At at, MultiDataSet batch) {
        SameDiffOp op = sameDiff.getOps().get(step.opName());
        if (!(op.getOp() instanceof UnsortedSegmentSum segmentSum) || step.inputs().size() < 2 || step.outputs().size() != 1) {
            return null;
        }
        INDArray data = value(frame, step.inputs().get(0)), ids = value(frame, step.inputs().get(1));
        if (data == null || ids == null || !HostSegmentSum.applicable(data, ids)) return null;
        long segments;
        if (step.inputs().size() > 2) {
            INDArray n = value(frame, step.inputs().get(2));
            if (n == null || n.length() != 1) return null;
            segments = n.getLong(0);
        } else {
            long[] iArgs = segmentSum.iArgs();
            if (iArgs == null || iArgs.length == 0) return null;
            segments = iArgs[0];
        }
        long[] shape = data.shape().clone();
        shape[0] = segments;
        at.setFrameIter(frame);
        for (Listener l : listeners) if (l.isActive(at.operation())) l.preOpExecution(sameDiff, at, op, null);
        INDArray out = pool.allocate(false, data.dataType(), shape);
        HostSegmentSum.run(data, ids, out);
        INDArray[] outputs = {out};
        for (Listener l : listeners) if (l.isActive(at.operation())) l.opExecution(sameDiff, at, batch, op, null, outputs);
        return outputs;
    }

    private INDArray value(FrameIter frame, String name) {
        SDValue v = nodeValueOutputs.get(frame.toVarId(name));
        return v == null ? null : v.getTensorValue();
    }

    /** The stage boundary: {@code provided} plus what {@code between} makes of the {@code early} values. */
    private static Map<String, INDArray> supplied(ExecutionPlan plan, Map<String, INDArray> provided, Set<String> early,
                                                  Map<String, SDValue> out,
                                                  Function<Map<String, INDArray>, Map<String, INDArray>> between) {
        Map<String, INDArray> first = new LinkedHashMap<>();
        for (String e : early) {
            SDValue v = out.get(e);
            if (v == null) {
                throw new IllegalStateException("'" + e + "' depends on placeholders supplied later: " + plan.deferred());
            }
            first.put(e, v.getTensorValue());
        }
        Map<String, INDArray> more = between.apply(java.util.Collections.unmodifiableMap(first));
        Map<String, INDArray> merged = new HashMap<>(provided);
        if (more != null) merged.putAll(more);
        return merged;
    }

    /**
     * The placeholder values the plan needs (but {@code later}, supplied later), checked and cast as the stock executor
     * does.
     */
    private Map<String, INDArray> placeholders(ExecutionPlan plan, Map<String, INDArray> provided, Set<String> later) {
        Map<String, INDArray> given = provided == null ? Map.of() : provided;
        for (String name : given.keySet()) {
            if (!sameDiff.getVariables().containsKey(name)) {
                throw new IllegalStateException("Invalid placeholder passed for execution: No variable/placeholder with name "
                        + name + " exists");
            }
        }
        Map<String, INDArray> out = new HashMap<>();
        for (String name : plan.placeholders()) {
            INDArray a = given.get(name);
            if (a == null && later.contains(name)) continue;
            if (a == null) {
                throw new IllegalStateException("An input placeholder \"" + name + "\" is required to calculate the requested"
                        + " outputs, but a placeholder value was not provided");
            }
            DataType t = sameDiff.getVariable(name).dataType();
            if (a.isAttached()) a = a.detach();
            if (t != null && t != DataType.UNKNOWN && a.dataType() != t) a = a.castTo(t);
            out.put(name, a);
        }
        return out;
    }

    private static INDArray result(ExecutionResult r, int i, ExecutionPlan.Step step) {
        INDArray a;
        if (r.hasSingle()) {
            a = r.resultAt(i);
        } else if (r.hasValues()) {
            SDValue v = r.valueWithKeyAtIndex(i, false);
            if (v == null || v.getSdValueType() != SDValueType.TENSOR) {
                throw new IllegalStateException("op '" + step.opName() + "' returned a non-tensor value for "
                        + step.outputs().get(i));
            }
            a = v.getTensorValue();
        } else {
            a = null;
        }
        if (a == null) throw new IllegalStateException("op '" + step.opName() + "' returned no array for " + step.outputs().get(i));
        return a;
    }
}

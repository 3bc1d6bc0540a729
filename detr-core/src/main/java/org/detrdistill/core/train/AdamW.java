package org.detrdistill.core.train;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * AdamW (Loshchilov &amp; Hutter, decoupled weight decay) on plain INDArrays, with {@code torch.optim.AdamW}'s
 * semantics (torch 1.13, non-amsgrad). For each parameter {@code p} with gradient {@code g}, learning rate
 * {@code lr = baseLr * lrMultiplier} and weight decay {@code wd} (0 if its group disables decay):
 * <pre>
 * t += 1
 * p *= 1 - lr * wd
 * m = beta1 * m + (1 - beta1) * g
 * v = beta2 * v + (1 - beta2) * g * g
 * p -= lr / (1 - beta1^t) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps)
 * </pre>
 * Updates are in place on the arrays given (for a graph, the arrays the graph holds), in the parameter's data type;
 * the state {@code m}, {@code v} has the parameter's type (torch's {@code zeros_like}: float32 for float32 training)
 * and {@code t} counts this parameter's own steps. A parameter without a gradient in a step is skipped entirely (no
 * decay, no state change), like torch's {@code p.grad is None}. Frozen parameters ({@link ParamGroups}) are never
 * updated and get no state. Not thread-safe.
 */
public final class AdamW {

    /**
     * The optimizer state of one parameter.
     *
     * @param expAvg   first moment {@code m}, the parameter's shape and type
     * @param expAvgSq second moment {@code v}, the parameter's shape and type
     * @param step     number of updates this parameter received ({@code t} above)
     */
    public record ParamState(INDArray expAvg, INDArray expAvgSq, long step) {
        public ParamState {
            Objects.requireNonNull(expAvg, "expAvg");
            Objects.requireNonNull(expAvgSq, "expAvgSq");
            if (!Arrays.equals(expAvg.shape(), expAvgSq.shape())) {
                throw new IllegalArgumentException("expAvg " + Arrays.toString(expAvg.shape()) + " and expAvgSq "
                        + Arrays.toString(expAvgSq.shape()) + " differ in shape");
            }
            if (step < 1) throw new IllegalArgumentException("step must be >= 1 for an existing state, got " + step);
        }

        /** A deep copy (detached from the optimizer). */
        public ParamState copy() { return new ParamState(expAvg.dup(), expAvgSq.dup(), step); }
    }

    private final AdamWConfig config;
    private final ParamGroups groups;
    private final boolean hostKernel;
    private final Map<String, ParamSetting> settings = new HashMap<>();
    private final Map<String, ParamState> state = new LinkedHashMap<>();

    /**
     * @param config hyper-parameters
     * @param groups per-parameter lr multipliers, weight decay and frozen parameters
     */
    public AdamW(AdamWConfig config, ParamGroups groups) { this(config, groups, true); }

    /**
     * @param hostKernel whether dense CPU arrays are updated by the fused host loop ({@link AdamWHostKernel}); false =
     *                   always ND4J ops (the path used for views and other backends). Both give the same results up
     *                   to float rounding; tests run both.
     */
    AdamW(AdamWConfig config, ParamGroups groups, boolean hostKernel) {
        this.config = Objects.requireNonNull(config, "config");
        this.groups = Objects.requireNonNull(groups, "groups");
        this.hostKernel = hostKernel;
    }

    public AdamWConfig config() { return config; }

    public ParamGroups groups() { return groups; }

    /** How {@code name} is optimised (cached resolution of {@link ParamGroups#resolve}). */
    public ParamSetting setting(String name) { return settings.computeIfAbsent(name, groups::resolve); }

    /**
     * One update of every parameter of {@code sd} that has a gradient in {@code grads}, in place on the graph's arrays.
     *
     * @param grads  gradient by parameter name, each the parameter's shape (any floating type)
     * @param baseLr the scheduled learning rate of this step (before group multipliers)
     * @throws IllegalArgumentException if a gradient names no trainable variable of {@code sd}, or its shape differs
     */
    public void step(SameDiff sd, Map<String, INDArray> grads, double baseLr) {
        Map<String, INDArray> params = new LinkedHashMap<>();
        for (String name : grads.keySet()) {
            SDVariable v = sd.hasVariable(name) ? sd.getVariable(name) : null;
            if (v == null || v.getVariableType() != VariableType.VARIABLE) {
                throw new IllegalArgumentException("gradient for '" + name + "', which is not a trainable variable of the graph");
            }
            params.put(name, v.getArr());
        }
        step(params, grads, baseLr);
    }

    /**
     * One update of every parameter in {@code params} that has a gradient in {@code grads}, in place.
     *
     * @param params parameter arrays by name, updated in place (floating type)
     * @param grads  gradient by name, each of its parameter's shape; names must be keys of {@code params}
     * @param baseLr the scheduled learning rate of this step (before group multipliers), finite and >= 0
     * @throws IllegalArgumentException on a gradient without parameter, a shape mismatch or a bad learning rate
     */
    public void step(Map<String, INDArray> params, Map<String, INDArray> grads, double baseLr) {
        if (!(baseLr >= 0 && baseLr < Double.POSITIVE_INFINITY)) {
            throw new IllegalArgumentException("learning rate must be finite and >= 0, got " + baseLr);
        }
        for (Map.Entry<String, INDArray> e : grads.entrySet()) {
            String name = e.getKey();
            INDArray p = params.get(name);
            if (p == null) throw new IllegalArgumentException("gradient for unknown parameter '" + name + "'");
            if (e.getValue() == null) continue;
            if (!Arrays.equals(p.shape(), e.getValue().shape())) {
                throw new IllegalArgumentException("gradient of '" + name + "' has shape " + Arrays.toString(e.getValue().shape())
                        + ", parameter " + Arrays.toString(p.shape()));
            }
            if (!p.dataType().isFPType()) throw new IllegalArgumentException("parameter '" + name + "' is not floating point: " + p.dataType());
        }
        for (Map.Entry<String, INDArray> e : grads.entrySet()) {
            if (e.getValue() == null) continue;
            ParamSetting s = setting(e.getKey());
            if (s.frozen()) continue;
            update(e.getKey(), params.get(e.getKey()), e.getValue(), baseLr * s.lrMultiplier(),
                    s.weightDecay() ? config.weightDecay() : 0.0);
        }
    }

    private void update(String name, INDArray p, INDArray grad, double lr, double wd) {
        INDArray g = grad.dataType() == p.dataType() ? grad : grad.castTo(p.dataType());
        ParamState s = state.get(name);
        INDArray m = s == null ? Nd4j.zeros(p.dataType(), p.shape()) : s.expAvg();
        INDArray v = s == null ? Nd4j.zeros(p.dataType(), p.shape()) : s.expAvgSq();
        long t = (s == null ? 0 : s.step()) + 1;
        double b1 = config.beta1(), b2 = config.beta2();

        double bias1 = 1 - Math.pow(b1, t);
        double bias2Sqrt = Math.sqrt(1 - Math.pow(b2, t));
        double stepSize = lr / bias1;
        if (hostKernel && AdamWHostKernel.applicable(p) && AdamWHostKernel.applicable(m) && AdamWHostKernel.applicable(v)) {
            AdamWHostKernel.update(p, g, m, v, 1 - lr * wd, b1, b2, bias2Sqrt, config.eps(), -stepSize);
        } else {
            p.muli(1 - lr * wd);
            m.muli(b1).addi(g.mul(1 - b1));
            v.muli(b2).addi(g.mul(g).muli(1 - b2));
            INDArray denom = Transforms.sqrt(v, true).divi(bias2Sqrt).addi(config.eps());
            p.addi(denom.rdivi(m).muli(-stepSize));
        }
        state.put(name, new ParamState(m, v, t));
    }

    /** The live state of {@code name}, or null if it has not been updated yet. */
    public ParamState state(String name) { return state.get(name); }

    /** A deep copy of the whole state, by parameter name in first-update order. */
    public Map<String, ParamState> snapshot() {
        Map<String, ParamState> out = new LinkedHashMap<>();
        state.forEach((k, s) -> out.put(k, s.copy()));
        return Collections.unmodifiableMap(out);
    }

    /**
     * Replaces the whole state by a copy of {@code restored} (e.g. from a checkpoint).
     *
     * @throws IllegalArgumentException if a state belongs to a frozen parameter
     */
    public void load(Map<String, ParamState> restored) {
        for (String name : restored.keySet()) {
            if (setting(name).frozen()) throw new IllegalArgumentException("optimizer state for frozen parameter '" + name + "'");
        }
        state.clear();
        restored.forEach((k, s) -> state.put(k, s.copy()));
    }

    /** Number of parameters with state. */
    public int size() { return state.size(); }
}

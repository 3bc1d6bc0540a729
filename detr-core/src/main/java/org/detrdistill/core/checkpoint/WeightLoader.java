package org.detrdistill.core.checkpoint;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;

/**
 * Fills the parameters of a detector graph from a reference {@link StateDict}.
 *
 * <p>Graph parameters carry the reference key names (see {@code ParamFactory}), so a mapping is mostly identity:
 * a {@link Rule} renames keys (e.g. a prefix) and transforms values (e.g. conv kernels OIHW → YXIO, frozen-BN
 * statistics → scale/shift). Keys the caller declares as ignorable ({@code num_batches_tracked} always) are skipped.
 * Everything else is checked: every state_dict key must land on a graph parameter of the same shape, and every
 * graph parameter must be filled, unless the load is partial. Problems are collected and reported together, by name.
 */
public final class WeightLoader {

    /** Renames a state_dict key to a graph variable name and transforms its value; {@code null} name = not this rule. */
    public interface Rule {
        /** The graph variable for {@code key}, or null if this rule does not apply. */
        String target(String key);

        /** The value to store, from the state_dict value (default: unchanged). */
        default INDArray transform(String key, INDArray value) { return value; }

        /** A rule that maps keys through {@code rename} (null = not applicable) with no value transform. */
        static Rule rename(UnaryOperator<String> rename) { return rename::apply; }
    }

    /** What a load did. */
    public record Report(List<String> loaded, List<String> ignored, List<String> unfilled) {}

    private final List<Rule> rules = new ArrayList<>();
    private final List<Predicate<String>> ignored = new ArrayList<>(List.of(k -> k.endsWith("num_batches_tracked")));
    private boolean partial;
    private Predicate<String> fillElsewhere = k -> false;

    /** Adds a rule; rules are tried in order and the first that applies wins. Keys no rule claims map to themselves. */
    public WeightLoader rule(Rule r) { rules.add(r); return this; }

    /** State_dict keys matching {@code which} are skipped (e.g. the parts of a model this graph does not build). */
    public WeightLoader ignore(Predicate<String> which) { ignored.add(which); return this; }

    /** Graph parameters matching {@code which} are filled by another loader and need no key here. */
    public WeightLoader ignoreUnfilled(Predicate<String> which) { fillElsewhere = fillElsewhere.or(which); return this; }

    /** Allow graph parameters that the state_dict does not fill (e.g. loading only a backbone). */
    public WeightLoader partial(boolean allow) { this.partial = allow; return this; }

    /**
     * Copies the state_dict into {@code sd}'s variables (cast to each variable's data type).
     *
     * @throws IllegalArgumentException listing every unknown key, shape mismatch and (unless partial) missing parameter
     */
    public Report load(StateDict state, SameDiff sd) {
        Map<String, INDArray> pending = new LinkedHashMap<>();
        List<String> skipped = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        for (Map.Entry<String, INDArray> e : state.asMap().entrySet()) {
            String key = e.getKey();
            if (ignored.stream().anyMatch(p -> p.test(key))) { skipped.add(key); continue; }
            Rule rule = rules.stream().filter(r -> r.target(key) != null).findFirst().orElse(null);
            String target = rule == null ? key : rule.target(key);
            INDArray value = rule == null ? e.getValue() : rule.transform(key, e.getValue());
            SDVariable v = sd.hasVariable(target) ? sd.getVariable(target) : null;
            if (v == null || v.getVariableType() != VariableType.VARIABLE && v.getVariableType() != VariableType.CONSTANT) {
                problems.add("unknown key '" + key + "'" + (target.equals(key) ? "" : " (mapped to '" + target + "')")
                        + ": no such parameter in the graph");
                continue;
            }
            long[] want = v.getArr().shape();
            if (!Arrays.equals(want, value.shape())) {
                problems.add("shape mismatch for '" + key + "' -> '" + target + "': state_dict " + Arrays.toString(value.shape())
                        + " (after mapping), graph " + Arrays.toString(want));
                continue;
            }
            if (pending.put(target, value) != null) problems.add("two keys map to the same parameter '" + target + "' (last: '" + key + "')");
        }
        Set<String> unfilled = new TreeSet<>();
        for (SDVariable v : sd.variables()) {
            if (v.getVariableType() == VariableType.VARIABLE && !pending.containsKey(v.name()) && !fillElsewhere.test(v.name())) {
                unfilled.add(v.name());
            }
        }
        if (!partial && !unfilled.isEmpty()) problems.add("missing from the state_dict: " + unfilled);
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("cannot load weights from " + state.source() + ":\n  - " + String.join("\n  - ", problems));
        }
        for (Map.Entry<String, INDArray> e : pending.entrySet()) {
            SDVariable v = sd.getVariable(e.getKey());
            v.setArray(e.getValue().castTo(v.dataType()).dup());
        }
        return new Report(new ArrayList<>(pending.keySet()), skipped, new ArrayList<>(unfilled));
    }
}

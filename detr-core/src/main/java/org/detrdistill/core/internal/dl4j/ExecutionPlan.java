package org.detrdistill.core.internal.dl4j;

import org.nd4j.autodiff.functions.DifferentialFunction;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.autodiff.samediff.internal.AbstractSession;
import org.nd4j.autodiff.samediff.internal.FrameIter;
import org.nd4j.autodiff.samediff.internal.SameDiffOp;
import org.nd4j.autodiff.samediff.internal.Variable;
import org.nd4j.linalg.api.ops.custom.Invoke;
import org.nd4j.linalg.api.ops.impl.controlflow.compat.BaseCompatOp;
import org.nd4j.linalg.api.ops.impl.shape.tensorops.BaseTensorOp;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The ops a SameDiff graph runs to compute a set of requested variables, in one fixed topological order, with each
 * op's inputs resolved once: what {@code AbstractSession.output} re-derives on every call (subgraph search with a
 * regular expression per variable, a dependency tracker over every variable of the graph, frame bookkeeping).
 * {@link PlanSession} builds one plan per (requested variables, graph size) and replays it.
 *
 * <p>Only plain dataflow graphs are planned: {@link #of} returns null when the requested subgraph contains
 * control-flow ops (enter/exit/switch/merge/next-iteration/loop-cond), tensor-array ops, sub-graph invocations or
 * control dependencies; the session then runs the stock executor.
 */
final class ExecutionPlan {
    /** The outer frame, iteration 0: the only frame of a dataflow graph. */
    static final FrameIter MAIN = new FrameIter(AbstractSession.OUTER_FRAME, 0, null);

    /**
     * One op of the plan.
     *
     * @param opName    the op's name in the graph
     * @param inputs    the op's input variables, in argument order (may repeat)
     * @param outputs   the op's output variables, in order
     * @param outIds    {@link AbstractSession.VarId}s of the outputs in the outer frame
     * @param opInputs  VarIds of the inputs that are op outputs or trainable variables
     * @param constAndPh names of the inputs that are constants or placeholders
     * @param dying     variables (op outputs) whose last use is this step and that are not requested
     */
    record Step(String opName, List<String> inputs, List<String> outputs, List<AbstractSession.VarId> outIds,
                Set<AbstractSession.VarId> opInputs, Set<String> constAndPh, List<String> dying) {}

    private final List<Step> steps;
    private final Set<String> placeholders;
    private final Set<String> requested;
    private final Set<String> deferred;
    private final Set<String> stored;
    private final int split;

    private ExecutionPlan(List<Step> steps, Set<String> placeholders, Set<String> requested, Set<String> deferred,
                          Set<String> stored, int split) {
        this.steps = List.copyOf(steps);
        this.stored = Collections.unmodifiableSet(stored);
        this.placeholders = Collections.unmodifiableSet(placeholders);
        this.requested = Collections.unmodifiableSet(requested);
        this.deferred = Collections.unmodifiableSet(deferred);
        this.split = split;
    }

    /** The ops to run, in order. */
    List<Step> steps() { return steps; }

    /**
     * The number of leading steps that do not depend on a {@linkplain #deferred() deferred} placeholder: they run
     * first, the rest after the deferred values are known ({@link #steps()}.size() when nothing is deferred).
     */
    int split() { return split; }

    /**
     * The constants and trainable variables the steps read. The session registers them as values of the call, as
     * the stock executor does: some ops ({@code identity}) read their input from the session's values.
     */
    Set<String> stored() { return stored; }

    /** Placeholders whose values are supplied only after the first {@link #split()} steps ran. */
    Set<String> deferred() { return deferred; }

    /** The placeholders the requested variables depend on. */
    Set<String> placeholders() { return placeholders; }

    /** The requested variables. */
    Set<String> requested() { return requested; }

    /**
     * Plans the computation of {@code requested}.
     *
     * @return the plan, or null if the subgraph is not a plain dataflow graph (see the class comment)
     * @throws IllegalStateException if a requested variable does not exist
     */
    static ExecutionPlan of(SameDiff sd, Collection<String> requested) {
        return of(sd, requested, Set.of());
    }

    /**
     * Plans the computation of {@code requested} in two stages: first every op that does not depend (transitively) on
     * a placeholder of {@code deferred}, then the others, each stage in topological order.
     *
     * @return the plan, or null if the subgraph is not a plain dataflow graph
     */
    static ExecutionPlan of(SameDiff sd, Collection<String> requested, Set<String> deferred) {
        Map<String, Variable> vars = sd.getVariables();
        Map<String, SameDiffOp> ops = sd.getOps();
        Set<String> req = new LinkedHashSet<>(requested);
        for (String r : req) {
            if (!vars.containsKey(r)) {
                throw new IllegalStateException("Requested output variable " + r + " does not exist in SameDiff instance");
            }
        }
        List<String> order = new ArrayList<>();
        Set<String> placeholders = new LinkedHashSet<>();
        Set<String> done = new HashSet<>();
        Set<String> onStack = new HashSet<>();
        // iterative post-order DFS over ops, from the producers of the requested variables
        for (String r : req) {
            if (!visitVariable(sd, vars, ops, r, order, placeholders, done, onStack)) return null;
        }
        if (!deferred.isEmpty()) order = stageOrder(ops, order, deferred);
        int split = order.size();
        Set<String> late = lateOps(ops, order, deferred);
        for (int i = 0; i < order.size(); i++) {
            if (late.contains(order.get(i))) {
                split = i;
                break;
            }
        }
        Map<String, Integer> lastUse = new HashMap<>();
        for (int i = 0; i < order.size(); i++) {
            for (String in : inputs(ops.get(order.get(i)))) lastUse.put(in, i);
        }
        List<Step> steps = new ArrayList<>(order.size());
        Set<String> stored = new LinkedHashSet<>();
        for (int i = 0; i < order.size(); i++) {
            SameDiffOp op = ops.get(order.get(i));
            List<String> in = inputs(op);
            List<String> out = op.getOutputsOfOp() == null ? List.of() : op.getOutputsOfOp();
            Set<AbstractSession.VarId> opInputs = new LinkedHashSet<>();
            Set<String> constAndPh = new LinkedHashSet<>();
            List<String> dying = new ArrayList<>();
            for (String name : in) {
                // as the stock executor: op outputs and trainable variables by VarId, constants and placeholders by name
                VariableType t = vars.get(name).getVariable().getVariableType();
                if (t == VariableType.ARRAY || t == VariableType.VARIABLE) opInputs.add(MAIN.toVarId(name));
                else constAndPh.add(name);
                if (t == VariableType.CONSTANT || t == VariableType.VARIABLE) stored.add(name);
                if (t == VariableType.ARRAY && lastUse.get(name) == i && !req.contains(name) && !dying.contains(name)) {
                    dying.add(name);
                }
            }
            for (String o : out) {   // outputs nobody reads (e.g. an unused second output) die at once
                if (!lastUse.containsKey(o) && !req.contains(o)) dying.add(o);
            }
            List<AbstractSession.VarId> outIds = new ArrayList<>(out.size());
            for (String o : out) outIds.add(MAIN.toVarId(o));
            steps.add(new Step(op.getName(), in, out, outIds, opInputs, constAndPh, dying));
        }
        Set<String> usedDeferred = new LinkedHashSet<>(deferred);
        usedDeferred.retainAll(placeholders);
        return new ExecutionPlan(steps, placeholders, req, usedDeferred, stored, split);
    }

    /** The ops of {@code order} that depend, directly or through other ops, on a placeholder of {@code deferred}. */
    private static Set<String> lateOps(Map<String, SameDiffOp> ops, List<String> order, Set<String> deferred) {
        Set<String> lateVars = new HashSet<>(deferred), late = new HashSet<>();
        if (deferred.isEmpty()) return late;
        for (String name : order) {   // topological: inputs are decided before their consumers
            SameDiffOp op = ops.get(name);
            boolean isLate = false;
            for (String in : inputs(op)) isLate |= lateVars.contains(in);
            if (isLate) {
                late.add(name);
                if (op.getOutputsOfOp() != null) lateVars.addAll(op.getOutputsOfOp());
            }
        }
        return late;
    }

    /** {@code order} with the ops independent of {@code deferred} first, both groups keeping their relative order. */
    private static List<String> stageOrder(Map<String, SameDiffOp> ops, List<String> order, Set<String> deferred) {
        Set<String> late = lateOps(ops, order, deferred);
        List<String> staged = new ArrayList<>(order.size());
        for (String o : order) if (!late.contains(o)) staged.add(o);
        for (String o : order) if (late.contains(o)) staged.add(o);
        return staged;
    }

    private static List<String> inputs(SameDiffOp op) {
        return op.getInputsToOp() == null ? List.of() : op.getInputsToOp();
    }

    /** Visits the producer of {@code var}; false if the subgraph cannot be planned. */
    private static boolean visitVariable(SameDiff sd, Map<String, Variable> vars, Map<String, SameDiffOp> ops, String var,
                                         List<String> order, Set<String> placeholders, Set<String> done, Set<String> onStack) {
        Variable v = vars.get(var);
        if (v == null) throw new IllegalStateException("no variable '" + var + "' in the graph");
        if (v.getControlDeps() != null && !v.getControlDeps().isEmpty()) return false;
        SDVariable sv = v.getVariable();
        if (sv.getVariableType() == VariableType.PLACEHOLDER) {
            placeholders.add(var);
            return true;
        }
        String producer = v.getOutputOfOp();
        if (producer == null) return sv.getVariableType() != VariableType.ARRAY;   // constant or trainable variable
        Deque<String[]> stack = new ArrayDeque<>();   // {opName, nextInputIndex}
        if (!enter(ops, producer, stack, done, onStack)) return done.contains(producer);
        while (!stack.isEmpty()) {
            String[] top = stack.peek();
            SameDiffOp op = ops.get(top[0]);
            List<String> in = inputs(op);
            int idx = Integer.parseInt(top[1]);
            if (idx < in.size()) {
                top[1] = Integer.toString(idx + 1);
                String name = in.get(idx);
                Variable iv = vars.get(name);
                if (iv == null) throw new IllegalStateException("op '" + top[0] + "' reads missing variable '" + name + "'");
                if (iv.getControlDeps() != null && !iv.getControlDeps().isEmpty()) return false;
                VariableType t = iv.getVariable().getVariableType();
                if (t == VariableType.PLACEHOLDER) {
                    placeholders.add(name);
                } else if (iv.getOutputOfOp() != null) {
                    String p = iv.getOutputOfOp();
                    if (onStack.contains(p)) return false;   // a cycle: only loops have them
                    if (!done.contains(p) && !enter(ops, p, stack, done, onStack)) return false;
                } else if (t == VariableType.ARRAY) {
                    return false;   // an array without a producer: nothing can compute it here
                }
            } else {
                stack.pop();
                onStack.remove(top[0]);
                done.add(top[0]);
                order.add(top[0]);
            }
        }
        return true;
    }

    /** Pushes {@code opName} if it is plannable; false if it is not (control flow, tensor arrays, control deps). */
    private static boolean enter(Map<String, SameDiffOp> ops, String opName, Deque<String[]> stack, Set<String> done,
                                 Set<String> onStack) {
        if (done.contains(opName)) return false;
        SameDiffOp op = ops.get(opName);
        if (op == null) throw new IllegalStateException("no op '" + opName + "' in the graph");
        DifferentialFunction f = op.getOp();
        if (f instanceof BaseCompatOp || f instanceof BaseTensorOp || f instanceof Invoke) return false;
        if ((op.getControlDeps() != null && !op.getControlDeps().isEmpty())
                || (op.getVarControlDeps() != null && !op.getVarControlDeps().isEmpty())) {
            return false;
        }
        stack.push(new String[]{opName, "0"});
        onStack.add(opName);
        return true;
    }
}

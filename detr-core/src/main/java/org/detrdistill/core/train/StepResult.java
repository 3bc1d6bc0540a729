package org.detrdistill.core.train;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What {@link GradientStep#run} did. Immutable.
 *
 * @param step     0-based global iteration
 * @param outputs  the requested scalar outputs (loss terms) of this step's forward pass, by name, in request order
 * @param lr       the scheduled base learning rate used
 * @param gradNorm global gradient L2 norm before clipping
 * @param clipped  whether the gradients were scaled down
 */
public record StepResult(long step, Map<String, Double> outputs, double lr, double gradNorm, boolean clipped) {
    public StepResult {
        outputs = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(outputs));
    }

    /** The output {@code name}. @throws IllegalArgumentException if it was not requested */
    public double output(String name) {
        Double v = outputs.get(name);
        if (v == null) throw new IllegalArgumentException("no output '" + name + "' in this step; outputs: " + outputs.keySet());
        return v;
    }
}

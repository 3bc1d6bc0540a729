package org.detrdistill.core.nn;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ops.impl.controlflow.compat.StopGradient;

/**
 * PyTorch's {@code tensor.detach()} in SameDiff: the forward value is the input unchanged, and the backward pass
 * treats it as a constant (no gradient flows into {@code x} through this path). Built on ND4J's {@code stop_gradient}
 * op, whose forward and zero gradient are checked in {@code DetachTest}.
 */
public final class Detach {
    private Detach() {}

    /**
     * @param name name of the output variable, or null for a generated one
     * @param x    any shape and floating type
     * @return the same values as {@code x}; gradients stop here
     */
    public static SDVariable apply(String name, SDVariable x) {
        SameDiff sd = x.getSameDiff();
        SDVariable out = new StopGradient(sd, x).outputVariable();
        return name == null ? out : sd.updateVariableNameAndReference(out, Names.scoped(sd, name));
    }
}

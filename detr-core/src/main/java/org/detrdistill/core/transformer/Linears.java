package org.detrdistill.core.transformer;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Arrays;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * PyTorch {@code nn.Linear} pieces shared by the modules of this package: weights stay in PyTorch's {@code [out, in]}
 * layout (so state_dict arrays load unchanged) and {@code y = x W^T + b} is one rank-2 mmul with a transpose flag
 * (rank-3 × rank-2 mmul fails in 1.0.0-M2.1, so callers flatten to {@code [N, in]} first).
 */
final class Linears {

    private Linears() {}

    /** {@code x [N,in] · W^T [in,out] + b [out]} → {@code [N,out]}. */
    static SDVariable apply(SameDiff sd, SDVariable x, SDVariable weight, SDVariable bias) {
        SDVariable y = sd.mmul(x, weight, false, true, false);
        return bias == null ? y : y.add(bias);
    }

    /** {@code xavier_uniform_}: U(-a, a), a = sqrt(6 / (in + out)), for a {@code [out, in]} weight. */
    static INDArray xavierUniform(SplittableRandom rnd, int out, int in, DataType type) {
        double a = Math.sqrt(6.0 / (in + out));
        double[] w = new double[out * in];
        for (int i = 0; i < w.length; i++) w[i] = (2 * rnd.nextDouble() - 1) * a;
        return Nd4j.create(w, new long[]{out, in}, type);
    }

    /**
     * {@code params.get(key)} checked against the expected shape and cast to {@code type}.
     *
     * @throws IllegalArgumentException naming the key when it is missing or mis-shaped
     */
    static INDArray take(Map<String, INDArray> params, String key, DataType type, long... shape) {
        INDArray a = params.get(key);
        if (a == null) throw new IllegalArgumentException("missing parameter '" + key + "' (have " + params.keySet() + ")");
        if (!Arrays.equals(a.shape(), shape)) {
            throw new IllegalArgumentException("parameter '" + key + "' must have shape " + Arrays.toString(shape) + ", got "
                    + Arrays.toString(a.shape()));
        }
        return a.castTo(type).dup();
    }
}

package org.detrdistill.core.backbone;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

import java.util.Arrays;

/**
 * BatchNorm with fixed statistics and affine parameters (torchvision / DETR {@code FrozenBatchNorm2d}), applied as a
 * per-channel scale and shift: {@code y = x · scale + shift} with {@code scale = weight / sqrt(running_var + eps)} and
 * {@code shift = bias − running_mean · scale}.
 *
 * <p>In a graph a frozen BN named {@code <bn>} (a state_dict module name, e.g. {@code backbone.0.body.bn1}) is two
 * SameDiff constants {@code <bn>.scale} and {@code <bn>.shift} of shape {@code [1,C,1,1]}; its output is named
 * {@code <bn>}. They are constants because the reference never trains them. {@link #fold} turns the four PyTorch
 * buffers into those arrays; {@link #load} writes them into a graph.
 */
public final class FrozenBatchNorm {
    /** Suffix of the scale constant. */
    public static final String SCALE = ".scale";
    /** Suffix of the shift constant. */
    public static final String SHIFT = ".shift";
    /** The PyTorch buffers of one frozen BN, in the order {@link #fold} takes them. */
    public static final String[] BUFFERS = {"weight", "bias", "running_mean", "running_var"};

    private FrozenBatchNorm() {}

    /** Scale and shift, each {@code [1,C,1,1]}. */
    public record ScaleShift(INDArray scale, INDArray shift) {}

    /**
     * Folds the PyTorch buffers ({@code [C]} each, any float type) into scale and shift {@code [1,C,1,1]} of type
     * {@code type}, computed in double precision.
     *
     * @param name module name used in error messages
     */
    public static ScaleShift fold(String name, INDArray weight, INDArray bias, INDArray runningMean, INDArray runningVar,
                                  double eps, DataType type) {
        long c = weight.length();
        INDArray[] in = {weight, bias, runningMean, runningVar};
        for (int i = 0; i < 4; i++) {
            if (in[i].length() != c) {
                throw new IllegalArgumentException(name + "." + BUFFERS[i] + ": expected [" + c + "], got "
                        + Arrays.toString(in[i].shape()));
            }
        }
        INDArray w = weight.castTo(DataType.DOUBLE).reshape(1, c, 1, 1);
        INDArray b = bias.castTo(DataType.DOUBLE).reshape(1, c, 1, 1);
        INDArray rm = runningMean.castTo(DataType.DOUBLE).reshape(1, c, 1, 1);
        INDArray rv = runningVar.castTo(DataType.DOUBLE).reshape(1, c, 1, 1);
        INDArray scale = w.div(Transforms.sqrt(rv.add(eps), true));
        INDArray shift = b.sub(rm.mul(scale));
        return new ScaleShift(scale.castTo(type), shift.castTo(type));
    }

    /** Scale and shift of freshly initialised buffers (weight 1, bias 0, mean 0, var 1): {@code 1/sqrt(1+eps)} and 0. */
    public static ScaleShift identity(long channels, double eps, DataType type) {
        return fold("init", Nd4j.ones(DataType.DOUBLE, channels), Nd4j.zeros(DataType.DOUBLE, channels),
                Nd4j.zeros(DataType.DOUBLE, channels), Nd4j.ones(DataType.DOUBLE, channels), eps, type);
    }

    /**
     * Adds a frozen BN to {@code sd}: constants {@code name.scale}, {@code name.shift} (initialised by
     * {@link #identity}) and the output {@code name = x · scale + shift}.
     *
     * @param x input {@code [B,C,H,W]} NCHW
     * @return {@code [B,C,H,W]}
     */
    public static SDVariable apply(SameDiff sd, String name, SDVariable x, long channels, double eps) {
        ScaleShift init = identity(channels, eps, x.dataType());
        SDVariable scale = sd.constant(name + SCALE, init.scale());
        SDVariable shift = sd.constant(name + SHIFT, init.shift());
        return x.mul(name + ".scaled", scale).add(name, shift);
    }

    /** Writes folded statistics into the constants of the frozen BN {@code name} of {@code sd}. */
    public static void load(SameDiff sd, String name, ScaleShift values) {
        set(sd, name + SCALE, values.scale());
        set(sd, name + SHIFT, values.shift());
    }

    private static void set(SameDiff sd, String var, INDArray value) {
        SDVariable v = sd.getVariable(var);
        if (v == null) throw new IllegalArgumentException("graph has no frozen-BN constant " + var);
        INDArray cur = v.getArr();
        if (!Arrays.equals(cur.shape(), value.shape())) {
            throw new IllegalArgumentException(var + ": expected " + Arrays.toString(cur.shape()) + ", got "
                    + Arrays.toString(value.shape()));
        }
        v.setArray(value.castTo(cur.dataType()));
    }
}

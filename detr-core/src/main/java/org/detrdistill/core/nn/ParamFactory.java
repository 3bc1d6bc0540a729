package org.detrdistill.core.nn;

import org.detrdistill.core.internal.dl4j.FastExecution;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Creates the trainable parameters of a graph: named, typed and reproducibly initialised from one seed.
 *
 * <p>Parameter names follow the PyTorch {@code state_dict} keys of the reference implementations
 * (e.g. {@code transformer.decoder.layers.0.linear1.weight}) so that loading reference weights is a name mapping,
 * and layouts follow PyTorch too ({@code nn.Linear.weight} is {@code [out, in]}), except convolution kernels, which are
 * stored YXIO {@code [kH, kW, in, out]} because DL4J's conv2d backward ignores other weight formats.
 *
 * <p><b>Sharing.</b> While a {@link #share()} scope is open, {@code create} returns the existing variable of that name
 * (checking its shape) instead of creating one, and consumes no randomness: running the same building code again then
 * builds a second pass over the same weights (a detector's decoder on an extra query group). Code that re-initialises
 * existing parameters in place checks {@link #sharing()} and skips it.
 */
public final class ParamFactory {
    private final SameDiff sd;
    private final DataType dataType;
    private final SplittableRandom rng;
    private final java.util.Set<String> convKernels = new java.util.LinkedHashSet<>();
    private int sharingDepth;

    /**
     * @param sd       the graph the parameters belong to
     * @param dataType floating type of every parameter (FLOAT for training, DOUBLE for gradient checks)
     * @param seed     seed of the initialisation; the same seed and the same creation order give the same values
     */
    public ParamFactory(SameDiff sd, DataType dataType, long seed) {
        if (!dataType.isFPType()) throw new IllegalArgumentException("parameters need a floating type, got " + dataType);
        this.sd = sd;
        this.dataType = dataType;
        this.rng = new SplittableRandom(seed);
        FastExecution.install();   // graphs built from parameters run on the plan executor (idempotent)
    }

    public SameDiff sd() { return sd; }

    public DataType dataType() { return dataType; }

    /**
     * A new trainable variable {@code name} of {@code shape}, filled by {@code init}. Each call consumes an independent
     * random stream, so adding a parameter does not change the values of parameters created before it.
     *
     * @throws IllegalArgumentException if a variable of that name already exists
     */
    public SDVariable create(String name, Init init, long... shape) {
        if (sharing()) return existing(name, shape);
        if (sd.hasVariable(name)) throw new IllegalArgumentException("parameter '" + name + "' already exists in the graph");
        long n = 1;
        for (long s : shape) {
            if (s < 0) throw new IllegalArgumentException("parameter '" + name + "' has a negative dimension: " + Arrays.toString(shape));
            n *= s;
        }
        double[] values = new double[Math.toIntExact(n)];
        init.fill(values, shape, rng.split());
        INDArray arr = Nd4j.create(values, shape, DataType.DOUBLE).castTo(dataType);
        return sd.var(name, arr);
    }

    /**
     * A convolution kernel named like PyTorch's {@code [out, in, kH, kW]} weight but stored YXIO
     * {@code [kH, kW, in, out]}; {@code init} sees the PyTorch shape (fans are computed from it).
     * The name is recorded in {@link #convKernels()} so weight loaders permute reference kernels.
     */
    public SDVariable createConvKernel(String name, Init init, long out, long in, long kH, long kW) {
        if (sharing()) return existing(name, new long[]{kH, kW, in, out});
        SDVariable torchLayout = create(name, init, out, in, kH, kW);
        INDArray yxio = torchLayout.getArr().permute(2, 3, 1, 0).dup('c');
        torchLayout.setArray(yxio);
        convKernels.add(name);
        return torchLayout;
    }

    /** Names of the parameters created by {@link #createConvKernel} (stored YXIO, reference layout OIHW). */
    public java.util.Set<String> convKernels() { return java.util.Collections.unmodifiableSet(convKernels); }

    /** A new trainable variable with the given initial value (cast to this factory's type). */
    public SDVariable create(String name, INDArray value) {
        if (sharing()) return existing(name, value.shape());
        if (sd.hasVariable(name)) throw new IllegalArgumentException("parameter '" + name + "' already exists in the graph");
        return sd.var(name, value.castTo(dataType).dup());
    }

    /**
     * Opens a sharing scope (see the class comment); close it to create parameters again. Scopes nest.
     *
     * <pre>{@code
     * try (ParamFactory.Sharing s = params.share()) {
     *     SDVariable again = Linear.apply(params, "proj", other, 16, 16);   // reuses proj.weight and proj.bias
     * }
     * }</pre>
     */
    public Sharing share() {
        sharingDepth++;
        return new Sharing();
    }

    /** Whether a {@link #share()} scope is open: {@code create} returns existing parameters. */
    public boolean sharing() { return sharingDepth > 0; }

    /** An open {@link #share()} scope. */
    public final class Sharing implements AutoCloseable {
        private boolean closed;

        private Sharing() {}

        @Override public void close() {
            if (!closed) {
                closed = true;
                sharingDepth--;
            }
        }
    }

    /** The trainable variable {@code name} of {@code shape}, which must exist (sharing mode). */
    private SDVariable existing(String name, long[] shape) {
        SDVariable v = sd.getVariable(name);
        if (v == null) {
            throw new IllegalStateException("parameter '" + name + "' is not in the graph: a shared pass may only reuse "
                    + "parameters the first pass created");
        }
        long[] actual = v.getArr() != null ? v.getArr().shape() : v.getShape();
        if (!Arrays.equals(actual, shape)) {
            throw new IllegalStateException("parameter '" + name + "' has shape " + Arrays.toString(actual)
                    + ", the shared pass asks for " + Arrays.toString(shape));
        }
        return v;
    }

    /**
     * A constant (not trained) of this factory's type, named {@code name} within the current SameDiff name scope
     * ({@link Names#scoped}).
     */
    public SDVariable constant(String name, INDArray value) {
        return sd.constant(Names.scoped(sd, name), value.castTo(dataType));
    }

    /** A scalar constant of this factory's type. */
    public SDVariable scalar(String name, double value) {
        return sd.constant(Names.scoped(sd, name), Nd4j.scalar(dataType, value));
    }
}

package org.detrdistill.distill.detrdistill;

import org.detrdistill.core.nn.Init;
import org.detrdistill.core.nn.Linear;
import org.detrdistill.core.nn.ParamFactory;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

/**
 * The projection of the query-relation term (the official {@code MoCoCLHead} branch): {@code Linear(in → D)}, then
 * {@code Linear(D → D) – BatchNorm1d(D) – ReLU – Linear(D → D)}, then L2 normalisation of each row
 * ({@code F.normalize}: {@code x / max(‖x‖, 1e-12)}).
 *
 * <p>BatchNorm: the head only exists in training, where PyTorch's {@code BatchNorm1d} normalises with the statistics
 * of the current rows (mean, biased variance, {@code eps = 1e-5}) and its running averages are never read. That is
 * what is built here, from primitives ({@code nn.batchNorm} has no usable backward in DL4J, see DL4J-NOTES); no running
 * statistics are kept. The rows are every matched (student, teacher) pair of the batch at one stage.
 *
 * <p>Parameters ({@code <prefix>.}): {@code proj.weight [D,in]}, {@code proj.bias}, {@code fc1.weight [D,D]},
 * {@code fc1.bias}, {@code bn.weight [D]} (init 1), {@code bn.bias [D]} (init 0), {@code fc2.weight [D,D]},
 * {@code fc2.bias}; linear layers with PyTorch's default initialisation. The parameters are created once and shared by
 * every {@link #apply} (every stage, as the official head).
 */
public final class ProjectionHead {
    /** BatchNorm epsilon (PyTorch's default). */
    public static final double BN_EPS = 1e-5;
    /** Norm floor of the final L2 normalisation. */
    public static final double NORM_EPS = 1e-12;

    private final SameDiff sd;
    private final int in;
    private final int dim;
    private final SDVariable projW, projB, fc1W, fc1B, bnW, bnB, fc2W, fc2B;

    /**
     * Creates the parameters.
     *
     * @param prefix parameter name prefix, e.g. {@code kd_relation.student}
     * @param in     input width
     * @param dim    projection width D (512 in DETRDistill)
     */
    public ProjectionHead(ParamFactory params, String prefix, int in, int dim) {
        if (in < 1 || dim < 1) throw new IllegalArgumentException(prefix + ": widths must be >= 1, got in " + in + ", dim " + dim);
        this.sd = params.sd();
        this.in = in;
        this.dim = dim;
        projW = params.create(prefix + ".proj.weight", Init.torchDefault(in), dim, in);
        projB = params.create(prefix + ".proj.bias", Init.torchDefault(in), dim);
        fc1W = params.create(prefix + ".fc1.weight", Init.torchDefault(dim), dim, dim);
        fc1B = params.create(prefix + ".fc1.bias", Init.torchDefault(dim), dim);
        bnW = params.create(prefix + ".bn.weight", Init.ones(), dim);
        bnB = params.create(prefix + ".bn.bias", Init.zeros(), dim);
        fc2W = params.create(prefix + ".fc2.weight", Init.torchDefault(dim), dim, dim);
        fc2B = params.create(prefix + ".fc2.bias", Init.torchDefault(dim), dim);
    }

    /**
     * @param x {@code [P,in]}, P ≥ 1 rows (the batch of the BatchNorm)
     * @return {@code [P,D]}, rows of unit L2 norm
     */
    public SDVariable apply(SDVariable x) {
        SDVariable h = Linear.apply(sd, x, projW, projB, in, dim);
        h = Linear.apply(sd, h, fc1W, fc1B, dim, dim);
        h = batchNorm(h);
        h = sd.nn.relu(h, 0);
        h = Linear.apply(sd, h, fc2W, fc2B, dim, dim);
        return l2Normalize(sd, h);
    }

    /** Training-mode BatchNorm1d over the rows of {@code h [P,D]}. */
    private SDVariable batchNorm(SDVariable h) {
        SDVariable centred = h.sub(h.mean(true, 0));
        SDVariable variance = centred.mul(centred).mean(true, 0);
        return centred.div(sd.math.sqrt(variance.add(BN_EPS))).mul(bnW).add(bnB);
    }

    /** Each row of {@code x [P,D]} divided by {@code max(‖row‖, 1e-12)}. */
    static SDVariable l2Normalize(SameDiff sd, SDVariable x) {
        SDVariable norm = sd.math.sqrt(x.mul(x).sum(true, 1));
        return x.div(sd.math.clipByValue(norm, NORM_EPS, Double.MAX_VALUE));
    }

    /** Input width. */
    public int in() { return in; }

    /** Projection width D. */
    public int dim() { return dim; }
}

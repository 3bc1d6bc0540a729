package org.detrdistill.core.position;

import org.detrdistill.core.nn.Names;
import org.nd4j.autodiff.samediff.SDIndex;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Sine embedding of (trainable) coordinates as a SameDiff function: Conditional DETR's
 * {@code gen_sineembed_for_position} and Deformable DETR two-stage's {@code get_proposal_pos_embed}.
 *
 * <p>Input {@code pos [..., c]} with coordinates normalised to [0,1]. For output block {@code b} (one per entry of
 * {@code order}) and {@code k < n}: {@code a = pos[..., order[b]] · scale / dim_t[k]}, feature {@code sin(a)} for even
 * k and {@code cos(a)} for odd k (the reference's interleaved {@code stack(sin(a[0::2]), cos(a[1::2])).flatten}).
 * Output {@code [..., order.size() · n]}. {@code dim_t} is the float32 {@link FrequencyTable} as in the reference.
 *
 * <p>Graph: {@code pos·scale} → reshape {@code [N,c]} → mmul with a constant 0/1 selection matrix {@code [c, B·n]}
 * (exact: every output picks one coordinate) → divide by {@code dim_t} → {@code sin·even + cos·odd} → reshape back.
 * Only ops with verified gradients; the leading shape may be dynamic. Coordinates must be finite (0·∞ in the
 * selection would give NaN). Plain-array twin: {@link SineEmbeddingReference}.
 *
 * @param numPosFeats n, features per output block (128 in both references, which fixes d_model = 256 there)
 * @param temperature T of the frequency table (10000)
 * @param scale       multiplier of the coordinates (2π)
 * @param order       for each output block, the input coordinate it encodes
 */
public record SineEmbedding(int numPosFeats, double temperature, double scale, List<Integer> order) {
    public SineEmbedding {
        FrequencyTable.float32(numPosFeats, temperature);
        Objects.requireNonNull(order, "order");
        order = List.copyOf(order);
        if (order.isEmpty()) throw new IllegalArgumentException("order must name at least one coordinate");
        for (Integer o : order) {
            if (o == null || o < 0) throw new IllegalArgumentException("order entries must be >= 0, got " + order);
        }
        if (!(scale > 0)) throw new IllegalArgumentException("scale must be > 0, got " + scale);
    }

    /** Conditional DETR {@code gen_sineembed_for_position}: {@code [..., 2]} (x, y) → {@code [..., 256]} = cat(pos_y, pos_x). */
    public static SineEmbedding conditionalDetr() { return new SineEmbedding(128, 10000, 2 * Math.PI, List.of(1, 0)); }

    /**
     * Deformable DETR two-stage {@code get_proposal_pos_embed} after its sigmoid: {@code [..., 4]} (cx, cy, w, h) in
     * [0,1] → {@code [..., 512]} = cat(x, y, w, h) blocks. Apply the sigmoid to the proposal logits first.
     */
    public static SineEmbedding proposalBoxes() { return new SineEmbedding(128, 10000, 2 * Math.PI, List.of(0, 1, 2, 3)); }

    /** Number of input coordinates read: {@code max(order) + 1}. */
    public int inputCoordinates() { return order.stream().mapToInt(Integer::intValue).max().orElseThrow() + 1; }

    /** Output width: {@code order.size() · numPosFeats}. */
    public int outputWidth() { return order.size() * numPosFeats; }

    /**
     * Adds the embedding of {@code pos} to its graph.
     *
     * @param name prefix of the created variables; the output is named {@code name}
     * @param pos  {@code [..., c]} FLOAT or DOUBLE, rank ≥ 2, {@code c = inputCoordinates()}; its shape may be unknown
     *             at build time (an op output), then the leading shape is taken at run time
     * @return {@code [..., outputWidth()]}
     */
    public SDVariable embed(SameDiff sd, String name, SDVariable pos) {
        long[] shape = pos.getShape(); // null for most op outputs: then the shape is taken at run time
        int c = inputCoordinates();
        if (shape != null && (shape.length < 2 || shape[shape.length - 1] != c)) {
            throw new IllegalArgumentException(name + ": pos must be [..., " + c + "] with rank >= 2, got "
                    + Arrays.toString(shape));
        }
        SDVariable emb = embedRows(sd, name, pos.mul(name + ".scaled", scale).reshape(-1, c), null);
        int width = outputWidth();
        if (shape != null && Arrays.stream(shape).allMatch(s -> s >= 0)) {
            long[] out = shape.clone();
            out[out.length - 1] = width;
            return sd.reshape(name, emb, out);
        }
        SDVariable lead = pos.shape().get(SDIndex.interval(0, -1)); // all but the last dimension
        SDVariable outShape = sd.concat(0, lead, sd.constant(Names.scoped(sd, name + ".width"), Nd4j.createFromArray((long) width)
                .castTo(lead.dataType())));
        return sd.reshape(name, emb, outShape);
    }

    /**
     * As {@link #embed} for a 2-D {@code pos [N, c]} → {@code [N, outputWidth()]}, without reshapes (7 ops). The output
     * is named {@code name}.
     */
    public SDVariable embed2d(SameDiff sd, String name, SDVariable pos) {
        return embedRows(sd, name, pos.mul(name + ".scaled", scale), name);
    }

    /** {@code scaled [N, c]} (coordinates times the scale) → {@code [N, width]}, named {@code outName} unless null. */
    private SDVariable embedRows(SameDiff sd, String name, SDVariable scaled, String outName) {
        int c = inputCoordinates();
        DataType t = scaled.dataType();
        int width = outputWidth(), n = numPosFeats;
        INDArray select = Nd4j.zeros(t, c, width);
        double[] dimT = FrequencyTable.float32(n, temperature);
        INDArray dim = Nd4j.zeros(t, 1, width), even = Nd4j.zeros(t, 1, width), odd = Nd4j.zeros(t, 1, width);
        for (int b = 0; b < order.size(); b++) {
            for (int k = 0; k < n; k++) {
                int col = b * n + k;
                select.putScalar(order.get(b), col, 1.0);
                dim.putScalar(0, col, dimT[k]);
                (k % 2 == 0 ? even : odd).putScalar(0, col, 1.0);
            }
        }
        SDVariable a = scaled.mmul(sd.constant(Names.scoped(sd, name + ".select"), select))
                .div(name + ".angle", sd.constant(Names.scoped(sd, name + ".dim_t"), dim));
        SDVariable sin = sd.math().sin(a).mul(sd.constant(Names.scoped(sd, name + ".even"), even));
        SDVariable cos = sd.math().cos(a).mul(sd.constant(Names.scoped(sd, name + ".odd"), odd));
        return outName == null ? sin.add(cos) : sin.add(outName, cos);
    }
}

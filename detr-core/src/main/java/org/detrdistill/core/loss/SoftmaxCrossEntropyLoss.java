package org.detrdistill.core.loss;

import org.detrdistill.core.internal.dl4j.LogSoftmax;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Class-weighted softmax cross-entropy over {@code C+1} columns (original DETR {@code loss_labels}), with soft
 * targets and per-query weights:
 * <pre>
 *   nll[b,q] = −Σ_c t[b,q,c] · log softmax(x[b,q])_c
 *   w[b,q]   = queryWeight[b,q] · Σ_c t[b,q,c] · cw[c],   cw = (1, ..., 1, eosCoef)
 *   loss     = Σ w·nll / Σ w
 * </pre>
 * With one-hot targets and unit query weights this is {@code F.cross_entropy(logits, y, weight=cw)}: a weighted mean
 * over all {@code B·Q} queries, not divided by {@code num_boxes}.
 */
public final class SoftmaxCrossEntropyLoss {
    private SoftmaxCrossEntropyLoss() {
    }

    /**
     * @param logits      {@code [B,Q,C+1]}, last column no-object
     * @param target      {@code [B,Q,C+1]} probabilities
     * @param queryWeight {@code [B,Q]}
     * @param eosCoef     class weight of the no-object column
     * @return scalar loss
     */
    public static SDVariable build(SameDiff sd, SDVariable logits, SDVariable target, SDVariable queryWeight,
                                   int numClasses, double eosCoef) {
        INDArray cw = Nd4j.ones(logits.dataType(), numClasses + 1);
        cw.putScalar(numClasses, eosCoef);
        SDVariable logp = LogSoftmax.of(sd, logits, 2);
        SDVariable nll = target.mul(logp).sum(2).neg();                               // [B,Q]
        SDVariable w = target.mul(sd.constant(cw)).sum(2).mul(queryWeight);           // [B,Q]
        return w.mul(nll).sum().div(w.sum());
    }
}

package org.detrdistill.core.loss;

import org.detrdistill.core.box.SdBoxOps;
import org.detrdistill.core.internal.dl4j.Gathers;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

/**
 * Box terms on matched pairs (DETR {@code loss_boxes}), with per-pair weights:
 * <pre>
 *   src       = boxes.reshape(B·Q, 4)[srcIndex]                       (fixed gather, see Gathers)
 *   loss_bbox = Σ_m w[m] · Σ_k |src[m,k] − tgt[m,k]| / normaliser
 *   loss_giou = Σ_m w[m] · (1 − GIoU(xyxy(src[m]), xyxy(tgt[m]))) / normaliser
 * </pre>
 */
public final class MatchedBoxLoss {
    private MatchedBoxLoss() {
    }

    /**
     * The predicted box of every matched pair.
     *
     * @param boxes    {@code [B,Q,4]} cxcywh
     * @param srcIndex {@code [M]} INT64 flat indices {@code b·Q + q}
     * @return {@code [M,4]} cxcywh
     */
    public static SDVariable matched(SameDiff sd, SDVariable boxes, SDVariable srcIndex) {
        return Gathers.rows(sd, boxes.reshape(-1, 4), srcIndex);
    }

    /**
     * @param src       {@code [M,4]} cxcywh predicted (from {@link #matched})
     * @param tgt       {@code [M,4]} cxcywh targets
     * @param boxWeight {@code [M]}
     * @return scalar L1 loss
     */
    public static SDVariable l1(SameDiff sd, SDVariable src, SDVariable tgt, SDVariable boxWeight, SDVariable normaliser) {
        return sd.math.abs(src.sub(tgt)).sum(1).mul(boxWeight).sum().div(normaliser);
    }

    /**
     * @param src       {@code [M,4]} cxcywh predicted
     * @param tgt       {@code [M,4]} cxcywh targets
     * @param boxWeight {@code [M]}
     * @return scalar GIoU loss
     */
    public static SDVariable giou(SameDiff sd, SDVariable src, SDVariable tgt, SDVariable boxWeight, SDVariable normaliser) {
        SDVariable g = SdBoxOps.giou(sd, SdBoxOps.cxcywhToXyxy(sd, src), SdBoxOps.cxcywhToXyxy(sd, tgt));
        return g.rsub(1.0).mul(boxWeight).sum().div(normaliser);
    }
}

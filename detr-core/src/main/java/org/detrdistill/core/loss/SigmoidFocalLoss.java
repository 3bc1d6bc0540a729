package org.detrdistill.core.loss;

import org.detrdistill.core.internal.dl4j.Softplus;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

/**
 * Sigmoid focal loss (Lin et al.; torchvision/Deformable DETR {@code sigmoid_focal_loss}), with soft targets and
 * per-query weights:
 * <pre>
 *   p = σ(x),  ce = BCEWithLogits(x, t),  p_t = p·t + (1 − p)·(1 − t)
 *   ℓ = ce · (1 − p_t)^γ · (α·t + (1 − α)·(1 − t))        (α factor omitted when α &lt; 0)
 *   loss = Σ_{b,q,c} w[b,q] · ℓ[b,q,c] / normaliser
 * </pre>
 * With one-hot targets, {@code w = 1} and {@code normaliser = num_boxes} this is Deformable DETR's {@code loss_ce}
 * ({@code sigmoid_focal_loss(...) * Q}). With {@code γ = 0, α < 0} it is soft binary cross-entropy.
 */
public final class SigmoidFocalLoss {
    private SigmoidFocalLoss() {
    }

    /**
     * @param logits      {@code [B,Q,C]}
     * @param target      {@code [B,Q,C]} probabilities in [0,1]
     * @param queryWeight {@code [B,Q]}
     * @param normaliser  scalar (e.g. num_boxes)
     * @param alpha       balance factor, negative = off
     * @param gamma       focusing exponent, {@code >= 0}
     * @return scalar loss
     */
    public static SDVariable build(SameDiff sd, SDVariable logits, SDVariable target, SDVariable queryWeight,
                                   SDVariable normaliser, double alpha, double gamma) {
        SDVariable loss = Softplus.bceWithLogits(sd, logits, target);
        if (gamma != 0) {
            SDVariable p = sd.nn.sigmoid(logits);
            SDVariable pt = p.mul(target).add(p.rsub(1.0).mul(target.rsub(1.0)));
            SDVariable oneMinusPt = pt.rsub(1.0);
            SDVariable modulation = gamma == 2 ? sd.math.square(oneMinusPt)
                    : gamma == 1 ? oneMinusPt : sd.math.pow(oneMinusPt, gamma);
            loss = loss.mul(modulation);
        }
        if (alpha >= 0) {
            loss = loss.mul(target.mul(alpha).add(target.rsub(1.0).mul(1 - alpha)));
        }
        return loss.sum(2).mul(queryWeight).sum().div(normaliser);
    }
}

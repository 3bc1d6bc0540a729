package org.detrdistill.core.train;

/**
 * Hyper-parameters of {@link AdamW}, with {@code torch.optim.AdamW}'s meaning and defaults.
 *
 * <p>The learning rate is not part of this record: it comes from an {@link LrSchedule} at every step and is scaled
 * per parameter by its {@link ParamGroups} multiplier.
 *
 * @param beta1       decay of the first moment (torch default 0.9)
 * @param beta2       decay of the second moment (torch default 0.999)
 * @param eps         added to {@code sqrt(v_hat)} in the denominator (torch default 1e-8)
 * @param weightDecay decoupled weight decay λ: {@code p -= lr * λ * p} before the Adam update (torch default 1e-2;
 *                    the DETR family uses 1e-4); parameters whose group disables decay use 0
 */
public record AdamWConfig(double beta1, double beta2, double eps, double weightDecay) {

    public AdamWConfig {
        if (!(beta1 >= 0 && beta1 < 1)) throw new IllegalArgumentException("beta1 must be in [0,1), got " + beta1);
        if (!(beta2 >= 0 && beta2 < 1)) throw new IllegalArgumentException("beta2 must be in [0,1), got " + beta2);
        if (!(eps >= 0 && eps < Double.POSITIVE_INFINITY)) throw new IllegalArgumentException("eps must be finite and >= 0, got " + eps);
        if (!(weightDecay >= 0 && weightDecay < Double.POSITIVE_INFINITY)) {
            throw new IllegalArgumentException("weightDecay must be finite and >= 0, got " + weightDecay);
        }
    }

    /** torch's defaults: betas (0.9, 0.999), eps 1e-8, weight decay 1e-2. */
    public static AdamWConfig torchDefaults() { return builder().build(); }

    /** The DETR family's setting (Deformable DETR, Conditional DETR, AdaMixer): torch defaults with weight decay 1e-4. */
    public static AdamWConfig detr() { return builder().weightDecay(1e-4).build(); }

    public static Builder builder() { return new Builder(); }

    public Builder toBuilder() { return new Builder().beta1(beta1).beta2(beta2).eps(eps).weightDecay(weightDecay); }

    /** Builder starting from torch's defaults. */
    public static final class Builder {
        private double beta1 = 0.9, beta2 = 0.999, eps = 1e-8, weightDecay = 1e-2;

        private Builder() {}

        public Builder beta1(double v) { beta1 = v; return this; }
        public Builder beta2(double v) { beta2 = v; return this; }
        public Builder eps(double v) { eps = v; return this; }
        public Builder weightDecay(double v) { weightDecay = v; return this; }

        /** @throws IllegalArgumentException naming the first value out of range */
        public AdamWConfig build() { return new AdamWConfig(beta1, beta2, eps, weightDecay); }
    }
}

package org.detrdistill.core.train;

import org.detrdistill.core.model.Variant;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.VariableType;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * Parameter groups by name: an ordered list of {@link ParamRule}s (the first rule that matches wins; no match = lr
 * multiplier 1 with weight decay) and a frozen-parameter predicate (frozen parameters get no update and no state).
 * Immutable.
 *
 * <p>Presets follow the reference training scripts:
 * <ul>
 *   <li>{@link #deformableDetr()}: {@code backbone.0} at 0.1x (lr_backbone 2e-5 vs lr 2e-4), {@code sampling_offsets}
 *       and {@code reference_points} at 0.1x ({@code lr_linear_proj_mult}), weight decay everywhere
 *       (fundamentalvision/Deformable-DETR, main.py);</li>
 *   <li>{@link #conditionalDetr()}: names containing {@code backbone} at 0.1x (lr_backbone 1e-5 vs lr 1e-4)
 *       (Atten4Vis/ConditionalDETR, main.py);</li>
 *   <li>{@link #adaMixer()}: one group, weight decay everywhere (MCG-NJU/AdaMixer, mmdet AdamW without paramwise_cfg).</li>
 * </ul>
 * The backbones' frozen stages (stem and layer1 in all three) are graph constants already, so no preset freezes names.
 */
public final class ParamGroups {
    private final List<ParamRule> rules;
    private final Predicate<String> frozen;

    private ParamGroups(List<ParamRule> rules, Predicate<String> frozen) {
        this.rules = List.copyOf(rules);
        this.frozen = frozen;
    }

    /** One group: every parameter at 1x with weight decay, nothing frozen. */
    public static ParamGroups uniform() { return builder().build(); }

    /** Deformable DETR's groups (see the class comment). */
    public static ParamGroups deformableDetr() {
        return builder()
                .rule(ParamRule.keywords("backbone", 0.1, true, "backbone.0"))
                .rule(ParamRule.keywords("linear_proj", 0.1, true, "sampling_offsets", "reference_points"))
                .build();
    }

    /** Conditional DETR's groups (see the class comment). */
    public static ParamGroups conditionalDetr() {
        return builder().rule(ParamRule.keywords("backbone", 0.1, true, "backbone")).build();
    }

    /** AdaMixer's groups: a single one. */
    public static ParamGroups adaMixer() { return uniform(); }

    /** The preset of {@code variant}. */
    public static ParamGroups forVariant(Variant variant) {
        return switch (Objects.requireNonNull(variant, "variant")) {
            case DEFORMABLE_DETR -> deformableDetr();
            case CONDITIONAL_DETR -> conditionalDetr();
            case ADAMIXER -> adaMixer();
        };
    }

    public static Builder builder() { return new Builder(); }

    /** A builder holding these rules and this frozen predicate, to extend them. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.rules.addAll(rules);
        b.frozen = frozen;
        return b;
    }

    /** The rules, in matching order. */
    public List<ParamRule> rules() { return rules; }

    /** How parameter {@code name} is optimised. */
    public ParamSetting resolve(String name) {
        Objects.requireNonNull(name, "name");
        if (frozen.test(name)) return new ParamSetting(name, 0, false, true, "frozen");
        for (ParamRule r : rules) {
            if (r.matches(name)) return new ParamSetting(name, r.lrMultiplier(), r.weightDecay(), false, r.name());
        }
        return new ParamSetting(name, 1, true, false, "default");
    }

    /** Whether {@code name} is frozen. */
    public boolean isFrozen(String name) { return frozen.test(name); }

    /**
     * The trainable parameters of {@code sd}: its {@link VariableType#VARIABLE}s that are not frozen, in graph order.
     * Constants and placeholders are never parameters.
     */
    public List<String> trainableParameters(SameDiff sd) {
        List<String> out = new ArrayList<>();
        for (SDVariable v : sd.variables()) {
            if (v.getVariableType() == VariableType.VARIABLE && !frozen.test(v.name())) out.add(v.name());
        }
        return out;
    }

    /** Builder: no rules, nothing frozen. */
    public static final class Builder {
        private final List<ParamRule> rules = new ArrayList<>();
        private Predicate<String> frozen = n -> false;

        private Builder() {}

        /** Appends a rule (rules added earlier take precedence). */
        public Builder rule(ParamRule rule) { rules.add(Objects.requireNonNull(rule, "rule")); return this; }

        /** Freezes every parameter whose name satisfies {@code which} (in addition to those frozen already). */
        public Builder freeze(Predicate<String> which) {
            Objects.requireNonNull(which, "which");
            frozen = frozen.or(which);
            return this;
        }

        /** Freezes every parameter whose name contains one of {@code keywords}. */
        public Builder freezeKeywords(String... keywords) {
            ParamRule r = ParamRule.keywords("frozen", 0, false, keywords);
            return freeze(r::matches);
        }

        public ParamGroups build() { return new ParamGroups(rules, frozen); }
    }
}

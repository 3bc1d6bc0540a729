package org.detrdistill.core.loss;

import org.nd4j.autodiff.samediff.SDVariable;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The predictions of one decoder stage, as the criterion consumes them.
 *
 * @param name   {@code "final"} for the last decoder layer, {@code "aux_<i>"} for decoder layer {@code i}, or any
 *               other identifier ({@code [A-Za-z0-9_]+})
 * @param logits {@code [B,Q,C]} class logits ({@code C+1} columns with the no-object column last for
 *               {@link ClassLoss#SOFTMAX_CE})
 * @param boxes  {@code [B,Q,4]} cxcywh, normalised to [0,1]
 */
public record Stage(String name, SDVariable logits, SDVariable boxes) {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_]+");
    private static final Pattern AUX = Pattern.compile("aux_(\\d+)");

    public Stage {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(logits, "logits");
        Objects.requireNonNull(boxes, "boxes");
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("stage name must match [A-Za-z0-9_]+, got '" + name + "'");
        }
    }

    /** The stage of the final decoder layer. */
    public static Stage last(SDVariable logits, SDVariable boxes) {
        return new Stage("final", logits, boxes);
    }

    /** The auxiliary stage of decoder layer {@code i} (0-based, not the last layer). */
    public static Stage aux(int i, SDVariable logits, SDVariable boxes) {
        return new Stage("aux_" + i, logits, boxes);
    }

    /**
     * Suffix of this stage's term names, as in the reference criteria: {@code ""} for {@code final},
     * {@code "_<i>"} for {@code aux_<i>}, {@code "_<name>"} otherwise ({@code loss_ce}, {@code loss_ce_0}, ...).
     */
    public String suffix() {
        return suffixOf(name);
    }

    /** The term-name suffix of a stage called {@code name}; see {@link #suffix()}. */
    public static String suffixOf(String name) {
        if (name.equals("final")) {
            return "";
        }
        var m = AUX.matcher(name);
        return m.matches() ? "_" + m.group(1) : "_" + name;
    }
}

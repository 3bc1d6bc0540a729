package org.detrdistill.core.train;

import org.detrdistill.core.model.Variant;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A learning-rate schedule: the base learning rate of optimizer step {@code step} (0-based global iteration), a pure
 * function with no state, so a resumed run only needs the step counter. Parameter-group multipliers apply on top
 * ({@link AdamW}).
 *
 * <p>Schedules compose by wrapping: {@code constant(lr).stepDecay(...).linearWarmup(...)} multiplies the factors,
 * as mmcv's warm-up scales the regular lr and torch's {@code ChainedScheduler} chains {@code MultiStepLR} and
 * {@code LinearLR}. For example AdaMixer (12 epochs, steps at 8 and 11, 500 warm-up iterations from 0.001):
 * <pre>{@code
 * LrSchedule s = LrSchedule.constant(2.5e-5).stepDecayAtEpochs(0.1, itersPerEpoch, 8, 11).linearWarmup(500, 0.001);
 * double lr = s.lr(step);
 * }</pre>
 */
public interface LrSchedule {

    /**
     * The learning rate at optimizer step {@code step}.
     *
     * @throws IllegalArgumentException if {@code step < 0}
     */
    double lr(long step);

    /** A constant learning rate (finite, >= 0). */
    static LrSchedule constant(double lr) { return new Constant(lr); }

    /**
     * Multiplies this schedule by {@code gamma^(number of milestones <= step)} (torch's {@code MultiStepLR}, in
     * iterations; a repeated milestone counts twice).
     */
    default LrSchedule stepDecay(double gamma, long... milestones) {
        List<Long> m = new ArrayList<>();
        for (long x : milestones) m.add(x);
        return new StepDecay(this, m, gamma);
    }

    /** {@link #stepDecay} with milestones given in epochs of {@code itersPerEpoch} iterations (the references' lr_drop). */
    default LrSchedule stepDecayAtEpochs(double gamma, long itersPerEpoch, int... epochs) {
        if (itersPerEpoch < 1) throw new IllegalArgumentException("itersPerEpoch must be >= 1, got " + itersPerEpoch);
        long[] m = new long[epochs.length];
        for (int i = 0; i < epochs.length; i++) m[i] = Math.multiplyExact(epochs[i], itersPerEpoch);
        return stepDecay(gamma, m);
    }

    /**
     * Multiplies this schedule by a linear warm-up factor {@code startFactor + (1 - startFactor) * step / iterations}
     * for {@code step < iterations}, 1 afterwards (torch's {@code LinearLR(start_factor, end_factor=1, total_iters)},
     * mmcv's {@code warmup='linear'} with {@code warmup_ratio = startFactor}).
     */
    default LrSchedule linearWarmup(long iterations, double startFactor) {
        return new LinearWarmup(this, iterations, startFactor);
    }

    /**
     * The reference schedule of {@code variant} at its base learning rate: Deformable DETR 2e-4 and Conditional DETR
     * 1e-4, x0.1 after epoch 40; AdaMixer 2.5e-5, x0.1 after epochs 8 and 11, 500-iteration linear warm-up from 0.001.
     */
    static LrSchedule forVariant(Variant variant, long itersPerEpoch) {
        return switch (Objects.requireNonNull(variant, "variant")) {
            case DEFORMABLE_DETR -> constant(2e-4).stepDecayAtEpochs(0.1, itersPerEpoch, 40);
            case CONDITIONAL_DETR -> constant(1e-4).stepDecayAtEpochs(0.1, itersPerEpoch, 40);
            case ADAMIXER -> constant(2.5e-5).stepDecayAtEpochs(0.1, itersPerEpoch, 8, 11).linearWarmup(500, 0.001);
        };
    }

    private static void checkStep(long step) {
        if (step < 0) throw new IllegalArgumentException("step must be >= 0, got " + step);
    }

    /** A constant learning rate. */
    record Constant(double value) implements LrSchedule {
        public Constant {
            if (!(value >= 0 && value < Double.POSITIVE_INFINITY)) {
                throw new IllegalArgumentException("learning rate must be finite and >= 0, got " + value);
            }
        }

        @Override public double lr(long step) {
            checkStep(step);
            return value;
        }
    }

    /**
     * {@code inner} times {@code gamma^(number of milestones <= step)}.
     *
     * @param milestones iterations, non-decreasing, >= 0
     */
    record StepDecay(LrSchedule inner, List<Long> milestones, double gamma) implements LrSchedule {
        public StepDecay {
            Objects.requireNonNull(inner, "inner");
            milestones = List.copyOf(milestones);
            for (int i = 0; i < milestones.size(); i++) {
                if (milestones.get(i) < 0) throw new IllegalArgumentException("milestone " + i + " is negative: " + milestones);
                if (i > 0 && milestones.get(i) < milestones.get(i - 1)) {
                    throw new IllegalArgumentException("milestones must be non-decreasing, got " + milestones);
                }
            }
            if (!(gamma >= 0 && gamma < Double.POSITIVE_INFINITY)) {
                throw new IllegalArgumentException("gamma must be finite and >= 0, got " + gamma);
            }
        }

        @Override public double lr(long step) {
            double lr = inner.lr(step);
            for (long m : milestones) if (m <= step) lr *= gamma;
            return lr;
        }
    }

    /**
     * {@code inner} times {@code startFactor + (1 - startFactor) * step / iterations} while {@code step < iterations}.
     *
     * @param iterations  warm-up length, >= 0 (0 = no warm-up)
     * @param startFactor factor at step 0, in [0, 1]
     */
    record LinearWarmup(LrSchedule inner, long iterations, double startFactor) implements LrSchedule {
        public LinearWarmup {
            Objects.requireNonNull(inner, "inner");
            if (iterations < 0) throw new IllegalArgumentException("warm-up iterations must be >= 0, got " + iterations);
            if (!(startFactor >= 0 && startFactor <= 1)) {
                throw new IllegalArgumentException("warm-up startFactor must be in [0,1], got " + startFactor);
            }
        }

        @Override public double lr(long step) {
            double lr = inner.lr(step);
            if (step >= iterations) return lr;
            return lr * (startFactor + (1 - startFactor) * step / (double) iterations);
        }
    }
}

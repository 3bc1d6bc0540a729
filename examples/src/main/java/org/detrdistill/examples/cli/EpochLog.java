package org.detrdistill.examples.cli;

import org.detrdistill.core.train.EvalStats;
import org.detrdistill.core.train.StepMetrics;
import org.detrdistill.core.train.TrainingListener;

import java.io.PrintWriter;
import java.util.Locale;

/**
 * One line per epoch and per evaluation on the command's stderr, for runs without the interactive progress bar
 * (output redirected to a file, {@code --no-progress}):
 * <pre>
 * epoch 3: steps 225-300, loss 3.412 (mean), 2.85 it/s, 26 s
 * eval after epoch 3: AP 0.1234  AP50 0.3012  AP75 0.0811
 * </pre>
 */
final class EpochLog implements TrainingListener {
    private final PrintWriter err;
    private double lossSum;
    private long count;
    private long firstStep = -1;
    private double itPerSec;
    private long epochStart = System.nanoTime();

    EpochLog(PrintWriter err) {
        this.err = err;
    }

    @Override
    public void onStepEnd(StepMetrics m) {
        if (firstStep < 0) firstStep = m.step();
        lossSum += m.totalLoss();
        count++;
        itPerSec = m.itPerSec();
    }

    @Override
    public void onEpochEnd(int epoch, long step) {
        if (count > 0) {
            err.printf(Locale.ROOT, "epoch %d: steps %d-%d, loss %.4f (mean), %.2f it/s, %.0f s%n", epoch, firstStep + 1,
                    step, lossSum / count, itPerSec, (System.nanoTime() - epochStart) / 1e9);
            err.flush();
        }
        lossSum = 0;
        count = 0;
        firstStep = -1;
        epochStart = System.nanoTime();
    }

    @Override
    public void onEval(EvalStats s) {
        err.printf(Locale.ROOT, "eval after epoch %d: AP %.4f  AP50 %.4f  AP75 %.4f%n", s.epoch(), s.get("AP"),
                s.get("AP50"), s.get("AP75"));
        err.flush();
    }
}

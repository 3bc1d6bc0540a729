package org.detrdistill.core.variant;

import org.detrdistill.core.backbone.BackboneConfig;
import org.detrdistill.core.box.BoxOps;
import org.detrdistill.core.matcher.Assignment;
import org.detrdistill.core.model.DeformableOptions;
import org.detrdistill.core.model.DetectorConfig;
import org.detrdistill.core.model.DetectorGraph;
import org.detrdistill.core.model.DetectorNames;
import org.detrdistill.core.model.Variant;
import org.detrdistill.core.position.PaddingMasks;
import org.detrdistill.core.train.DetectionObjective;
import org.detrdistill.datasets.batch.ImageTarget;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.learning.GradientUpdater;
import org.nd4j.linalg.learning.config.Adam;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Deformable DETR is trainable: a tiny model overfits one synthetic batch (two 64×64 images, the second padded to a
 * 48-pixel-wide image, with 1 and 2 coloured rectangles) with Hungarian matching in Java every step, the focal set
 * criterion over both decoder stages ({@link DetectionObjective}) and Adam (lr 2e-3). The total loss falls by at least 90 % and every ground-truth box is
 * matched by a final prediction of the right class with IoU &gt; 0.8.
 */
class DeformableDetrTrainingTest {
    private static final int CLASSES = 3, QUERIES = 10, SIZE = 64;
    private static DataType saved;

    @BeforeAll static void floats() {
        saved = Nd4j.dataType();
        Nd4j.setDefaultDataTypes(DataType.FLOAT, DataType.FLOAT);
    }

    @AfterAll static void restore() { Nd4j.setDefaultDataTypes(saved, saved); }

    private record Rect(int x0, int y0, int x1, int y1, int cls) {}

    /** Image b: background 0, rectangle pixels the class colour (+2 in channel cls, −1 in the others), padding 0. */
    private static INDArray draw(List<List<Rect>> rects) {
        INDArray img = Nd4j.zeros(DataType.FLOAT, rects.size(), 3, SIZE, SIZE);
        for (int b = 0; b < rects.size(); b++) {
            for (Rect r : rects.get(b)) {
                for (int c = 0; c < 3; c++) {
                    for (int y = r.y0; y < r.y1; y++) {
                        for (int x = r.x0; x < r.x1; x++) img.putScalar(new long[]{b, c, y, x}, c == r.cls ? 2f : -1f);
                    }
                }
            }
        }
        return img;
    }

    /** Targets with cxcywh boxes normalised by the unpadded image size. */
    private static List<ImageTarget> targets(List<List<Rect>> rects, int[] heights, int[] widths) {
        List<ImageTarget> out = new ArrayList<>();
        for (int b = 0; b < rects.size(); b++) {
            List<Rect> rs = rects.get(b);
            double[] boxes = new double[rs.size() * 4];
            int[] labels = new int[rs.size()];
            for (int i = 0; i < rs.size(); i++) {
                Rect r = rs.get(i);
                boxes[4 * i] = (r.x0 + r.x1) / 2.0 / widths[b];
                boxes[4 * i + 1] = (r.y0 + r.y1) / 2.0 / heights[b];
                boxes[4 * i + 2] = (r.x1 - r.x0) / (double) widths[b];
                boxes[4 * i + 3] = (r.y1 - r.y0) / (double) heights[b];
                labels[i] = r.cls;
            }
            out.add(new ImageTarget(b, labels, Nd4j.create(boxes, new long[]{rs.size(), 4}, DataType.FLOAT), heights[b],
                    widths[b], heights[b], widths[b]));
        }
        return out;
    }

    @Test
    void overfitsOneBatch() {
        List<List<Rect>> rects = List.of(List.of(new Rect(12, 8, 44, 40, 2)),
                List.of(new Rect(4, 6, 22, 30, 0), new Rect(26, 34, 44, 58, 1)));
        int[] heights = {SIZE, SIZE}, widths = {SIZE, 48};
        INDArray images = draw(rects);
        INDArray mask = PaddingMasks.imageMask(heights, widths, SIZE, SIZE).castTo(DataType.FLOAT);
        List<ImageTarget> targets = targets(rects, heights, widths);

        BackboneConfig bb = BackboneConfig.preset("tiny").toBuilder().widths(8, 16, 32, 64).stemWidth(8).build();
        DetectorConfig cfg = DetectorConfig.builder(Variant.DEFORMABLE_DETR).backbone(bb).numClasses(CLASSES)
                .numQueries(QUERIES).hiddenDim(32).heads(4).encoderLayers(1).decoderLayers(2).ffnDim(64)
                .inputSize(SIZE, SIZE).deformable(new DeformableOptions(3, 2, 2, false, false, 8)).build();
        DetectorGraph det = Detectors.build(cfg, DataType.FLOAT, 42);
        SameDiff sd = det.sameDiff();
        DetectionObjective objective = new DetectionObjective(det);      // focal criterion 2/5/2 on every stage, matcher 2/5/2
        String total = objective.loss();
        Map<String, INDArray> geometry = det.feeds(images, mask);
        String[] predNames = objective.stageOutputNames().toArray(new String[0]);

        List<String> trainable = new ArrayList<>();
        Map<String, GradientUpdater<?>> adam = new LinkedHashMap<>();
        for (SDVariable v : sd.variables()) {
            if (v.getVariableType() != VariableType.VARIABLE) continue;
            trainable.add(v.name());
            adam.put(v.name(), new Adam(2e-3).instantiate(Nd4j.zeros(DataType.FLOAT, 1, 2 * v.getArr().length()), true));
        }

        double first = Double.NaN, last = Double.NaN, worstIou = 0;
        int step = 0;
        long start = System.nanoTime();
        for (; step < 400; step++) {
            // match the current predictions (one forward pass), then one forward + backward on the encoded targets
            Map<String, INDArray> preds = sd.output(geometry, predNames);
            int lastStage = cfg.decoderLayers() - 1;
            worstIou = worstMatchedIou(objective, preds.get(DetectorNames.stageLogits(lastStage)),
                    preds.get(DetectorNames.stageBoxes(lastStage)), targets);
            Map<String, INDArray> feed = new HashMap<>(geometry);
            feed.putAll(objective.targetFeeds(preds, targets));
            var outAndGrad = sd.calculateGradientsAndOutputs(feed, List.of(total), trainable);
            last = outAndGrad.getOutputs().get(total).getDouble(0);
            if (step == 0) first = last;
            if (step % 10 == 0) System.out.printf("step %d loss %.4f worst IoU %.3f (%.1f s)%n", step, last, worstIou, (System.nanoTime() - start) / 1e9);
            if (last <= 0.1 * first && worstIou > 0.8) break;
            for (String name : trainable) {
                INDArray param = sd.getVariable(name).getArr();
                INDArray g = outAndGrad.getGradients().get(name).dup().reshape(1, param.length());   // the updater's layout
                adam.get(name).applyUpdater(g, step, 0);
                param.subi(g.reshape(param.shape()));
            }
        }
        System.out.printf("deformable_detr overfit: %d steps, loss %.4f -> %.4f (%.1f%%), worst matched IoU %.3f, %.1f s%n",
                step, first, last, 100 * (1 - last / first), worstIou, (System.nanoTime() - start) / 1e9);
        assertTrue(last <= 0.1 * first, "loss fell only from " + first + " to " + last);
        assertTrue(worstIou > 0.8, "worst matched IoU " + worstIou);
    }

    /**
     * Smallest IoU between a ground-truth box and the final prediction the matcher assigns to it; 0 for a target whose
     * matched query's best class is not the target's class.
     */
    private static double worstMatchedIou(DetectionObjective objective, INDArray logits, INDArray boxes, List<ImageTarget> targets) {
        List<Assignment> match = objective.match(logits, boxes, targets);
        double worst = 1;
        for (int b = 0; b < targets.size(); b++) {
            Assignment a = match.get(b);
            ImageTarget t = targets.get(b);
            for (int i = 0; i < a.size(); i++) {
                int q = a.queryIndex()[i], g = a.targetIndex()[i];
                INDArray pred = boxes.get(NDArrayIndex.point(b), NDArrayIndex.point(q)).castTo(DataType.DOUBLE).reshape(1, 4);
                INDArray gt = t.boxes().getRow(g).castTo(DataType.DOUBLE).reshape(1, 4);
                double iou = BoxOps.iou(BoxOps.cxcywhToXyxy(pred), BoxOps.cxcywhToXyxy(gt)).getDouble(0, 0);
                boolean rightClass = logits.get(NDArrayIndex.point(b), NDArrayIndex.point(q)).argMax().getInt(0) == t.labels()[g];
                worst = Math.min(worst, rightClass ? iou : 0);
            }
        }
        return worst;
    }
}

package org.detrdistill.core.variant;

import org.detrdistill.core.backbone.BackboneConfig;
import org.detrdistill.core.box.BoxOps;
import org.detrdistill.core.loss.CriterionConfig;
import org.detrdistill.core.loss.CriterionGraph;
import org.detrdistill.core.loss.EncodedTargets;
import org.detrdistill.core.loss.SetCriterion;
import org.detrdistill.core.loss.Stage;
import org.detrdistill.core.loss.TargetEncoder;
import org.detrdistill.core.matcher.Assignment;
import org.detrdistill.core.matcher.HungarianMatcher;
import org.detrdistill.core.matcher.MatcherConfig;
import org.detrdistill.core.model.DeformableOptions;
import org.detrdistill.core.model.DetectorConfig;
import org.detrdistill.core.model.DetectorGraph;
import org.detrdistill.core.model.DetectorNames;
import org.detrdistill.core.model.Variant;
import org.detrdistill.core.position.PaddingMasks;
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
import org.nd4j.linalg.ops.transforms.Transforms;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Deformable DETR is trainable: a tiny model overfits one synthetic batch (two 64×64 images, the second padded to a
 * 48-pixel-wide image, with 1 and 2 coloured rectangles) with Hungarian matching in Java every step, the focal set
 * criterion over both decoder stages and Adam. The total loss falls by at least 90 % and every ground-truth box is
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
        int stages = cfg.decoderLayers();
        List<Stage> critStages = new ArrayList<>();
        for (int k = 0; k < stages; k++) {
            SDVariable logits = sd.getVariable(DetectorNames.stageLogits(k)), boxes = sd.getVariable(DetectorNames.stageBoxes(k));
            critStages.add(k == stages - 1 ? Stage.last(logits, boxes) : Stage.aux(k, logits, boxes));
        }
        CriterionConfig critCfg = CriterionConfig.focalDefaults(CLASSES);
        CriterionGraph crit = new SetCriterion(critCfg).build(sd, critStages);
        String total = crit.total().name();
        sd.setLossVariables(total);
        HungarianMatcher matcher = new HungarianMatcher(MatcherConfig.deformableDetr());
        TargetEncoder encoder = TargetEncoder.forConfig(critCfg, QUERIES, DataType.FLOAT);
        double numBoxes = TargetEncoder.numBoxes(targets);
        Map<String, INDArray> geometry = det.feeds(images, mask);

        List<String> trainable = new ArrayList<>();
        for (SDVariable v : sd.variables()) if (v.getVariableType() == VariableType.VARIABLE) trainable.add(v.name());
        Adam adam = new Adam(2e-3, sd, trainable);
        String[] predNames = new String[2 * stages];
        for (int k = 0; k < stages; k++) {
            predNames[2 * k] = DetectorNames.stageLogits(k);
            predNames[2 * k + 1] = DetectorNames.stageBoxes(k);
        }

        double first = Double.NaN, last = Double.NaN, worstIou = 0;
        int step = 0;
        long start = System.nanoTime();
        for (; step < 400; step++) {
            Map<String, INDArray> preds = sd.output(geometry, predNames);
            Map<String, EncodedTargets> byStage = new HashMap<>();
            List<Assignment> finalMatch = null;
            for (int k = 0; k < stages; k++) {
                List<Assignment> a = matcher.match(preds.get(predNames[2 * k]), preds.get(predNames[2 * k + 1]), targets);
                byStage.put(critStages.get(k).name(), encoder.encode(a, targets));
                if (k == stages - 1) finalMatch = a;
            }
            worstIou = worstMatchedIou(preds.get(predNames[2 * stages - 1]), preds.get(predNames[2 * stages - 2]), finalMatch, targets);
            Map<String, INDArray> feed = new HashMap<>(geometry);
            feed.putAll(crit.feed(byStage, numBoxes));
            var outAndGrad = sd.calculateGradientsAndOutputs(feed, List.of(total), trainable);
            Map<String, INDArray> grads = outAndGrad.getGradients();
            last = outAndGrad.getOutputs().get(total).getDouble(0);
            if (step == 0) first = last;
            if (step % 25 == 0) System.out.printf("step %d loss %.4f worst IoU %.3f (%.1f s)%n", step, last, worstIou, (System.nanoTime() - start) / 1e9);
            if (last <= 0.1 * first && worstIou > 0.8) break;
            adam.step(grads);
        }
        System.out.printf("deformable_detr overfit: %d steps, loss %.4f -> %.4f (%.1f%%), worst matched IoU %.3f, %.1f s%n",
                step, first, last, 100 * (1 - last / first), worstIou, (System.nanoTime() - start) / 1e9);
        assertTrue(last <= 0.1 * first, "loss fell only from " + first + " to " + last);
        assertTrue(worstIou > 0.8, "worst matched IoU " + worstIou);
    }

    /** Smallest IoU between a ground-truth box and the final prediction matched to it, requiring the right class. */
    private static double worstMatchedIou(INDArray boxes, INDArray logits, List<Assignment> match, List<ImageTarget> targets) {
        double worst = 1;
        for (int b = 0; b < targets.size(); b++) {
            Assignment a = match.get(b);
            ImageTarget t = targets.get(b);
            for (int i = 0; i < a.size(); i++) {
                int q = a.queryIndex()[i], g = a.targetIndex()[i];
                double[] p = BoxOps.cxcywhToXyxy(boxes.get(org.nd4j.linalg.indexing.NDArrayIndex.point(b),
                        org.nd4j.linalg.indexing.NDArrayIndex.interval(q, q + 1)).reshape(1, 4)).toDoubleVector();
                double[] gt = BoxOps.cxcywhToXyxy(t.boxes().getRow(g).reshape(1, 4)).toDoubleVector();
                double iou = BoxOps.iou(Nd4j.createFromArray(p).reshape(1, 4), Nd4j.createFromArray(gt).reshape(1, 4)).getDouble(0);
                INDArray scores = logits.get(org.nd4j.linalg.indexing.NDArrayIndex.point(b), org.nd4j.linalg.indexing.NDArrayIndex.point(q));
                boolean rightClass = scores.argMax().getInt(0) == t.labels()[g];
                worst = Math.min(worst, rightClass ? iou : 0);
            }
        }
        return worst;
    }

    /** Plain Adam (β 0.9/0.999, eps 1e-8) on the graph's variables, in place. */
    private static final class Adam {
        private final double lr;
        private final SameDiff sd;
        private final Map<String, INDArray> m = new LinkedHashMap<>(), v = new LinkedHashMap<>();
        private int t;

        Adam(double lr, SameDiff sd, List<String> names) {
            this.lr = lr;
            this.sd = sd;
            for (String n : names) {
                m.put(n, Nd4j.zerosLike(sd.getVariable(n).getArr()));
                v.put(n, Nd4j.zerosLike(sd.getVariable(n).getArr()));
            }
        }

        void step(Map<String, INDArray> grads) {
            t++;
            double c1 = 1 - Math.pow(0.9, t), c2 = 1 - Math.pow(0.999, t);
            for (Map.Entry<String, INDArray> e : m.entrySet()) {
                INDArray g = grads.get(e.getKey());
                if (g == null) continue;
                INDArray mi = e.getValue().muli(0.9).addi(g.mul(0.1));
                INDArray vi = v.get(e.getKey()).muli(0.999).addi(g.mul(g).muli(0.001));
                INDArray update = mi.div(c1).divi(Transforms.sqrt(vi.div(c2), true).addi(1e-8)).muli(lr);
                sd.getVariable(e.getKey()).getArr().subi(update);
            }
        }
    }
}

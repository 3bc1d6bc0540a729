package org.detrdistill.distill.detrdistill;

import org.detrdistill.core.backbone.BackboneConfig;
import org.detrdistill.core.matcher.Assignment;
import org.detrdistill.core.matcher.HungarianMatcher;
import org.detrdistill.core.matcher.MatcherConfig;
import org.detrdistill.core.model.DetectorConfig;
import org.detrdistill.core.model.DetectorGraph;
import org.detrdistill.core.model.DetectorNames;
import org.detrdistill.core.model.Variant;
import org.detrdistill.core.train.DetectionObjective;
import org.detrdistill.core.variant.Detectors;
import org.detrdistill.datasets.batch.DetectionBatch;
import org.detrdistill.datasets.batch.ImageTarget;
import org.detrdistill.distill.DistillContext;
import org.detrdistill.distill.DistillTerm;
import org.detrdistill.distill.DistillationObjective;
import org.detrdistill.distill.baseline.FitNetDistillation;
import org.detrdistill.distill.baseline.MaskedGenerativeDistillation;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The four terms on a real (tiny) Conditional DETR student through {@link DistillationObjective}: a teacher of another
 * width (48 vs 32), more stages (3 vs 2) and more queries; what the feeds hold, the values against the references,
 * gradients reaching every new parameter, and the compatibility errors.
 */
class FeatureTermsOnDetectorTest {
    private static final int SIZE = 64, DT = 48, QT = 5, LT = 3, CLASSES = 3;
    private static DetectorGraph det;
    private static DistillationObjective objective;
    private static FixedTeacher teacher;
    private static DetectionBatch batch;
    private static Map<String, INDArray> feeds;

    private static Map<String, INDArray> teacherArrays(Random r, int levels, long featureSize, int featureWidth) {
        Map<String, INDArray> a = new HashMap<>();
        for (int l = 0; l < levels; l++) {
            a.put(DetectorNames.feature(l), TargetAwareMaskTest.rand(r, 2, featureWidth, featureSize, featureSize).castTo(DataType.FLOAT));
        }
        for (int k = 0; k < LT; k++) {
            a.put(DetectorNames.stageLogits(k), TargetAwareMaskTest.rand(r, 2, QT, CLASSES).castTo(DataType.FLOAT));
            INDArray boxes = Nd4j.create(DataType.FLOAT, 2, QT, 4);
            for (int b = 0; b < 2; b++) boxes.get(NDArrayIndex.point(b), NDArrayIndex.all(), NDArrayIndex.all()).assign(TargetAwareMaskTest.boxes(r, QT));
            a.put(DetectorNames.stageBoxes(k), boxes);
            a.put(DetectorNames.stageHidden(k), TargetAwareMaskTest.rand(r, 2, QT, DT).castTo(DataType.FLOAT));
        }
        return a;
    }

    @BeforeAll
    static void build() {
        DetectorConfig c = DetectorConfig.builder(Variant.CONDITIONAL_DETR).backbone(BackboneConfig.preset("tiny"))
                .hiddenDim(32).heads(2).encoderLayers(1).decoderLayers(2).ffnDim(32).numQueries(6).numClasses(CLASSES)
                .inputSize(SIZE, SIZE).build();
        det = Detectors.build(c, DataType.FLOAT, 1);
        Random r = new Random(2);
        teacher = new FixedTeacher(teacherArrays(r, 1, 2, DT), LT);
        List<DistillTerm> terms = List.of(
                new TargetAwareFeatureDistillation(det, teacher, TargetAwareFeatureDistillation.Options.builder().teacherWidth(DT).build()),
                new QueryRelationDistillation(det, teacher, QueryRelationDistillation.Options.builder().teacherWidth(DT).projectionDim(16).build()),
                new FitNetDistillation(det, teacher, FitNetDistillation.Options.builder().teacherWidth(DT).build()),
                new MaskedGenerativeDistillation(det, teacher, MaskedGenerativeDistillation.Options.builder().teacherWidth(DT).seed(4).build()));
        objective = new DistillationObjective(new DetectionObjective(det), teacher, terms, Map.of());
        INDArray images = Nd4j.randn(DataType.FLOAT, 2, 3, SIZE, SIZE);
        INDArray mask = Nd4j.zeros(DataType.FLOAT, 2, SIZE, SIZE);
        mask.get(NDArrayIndex.point(1), NDArrayIndex.interval(40, SIZE), NDArrayIndex.all()).assign(1);
        batch = new DetectionBatch(images, mask, List.of(
                new ImageTarget(1, new int[]{0, 2}, Nd4j.createFromArray(new float[][]{{0.3f, 0.4f, 0.2f, 0.3f}, {0.7f, 0.6f, 0.4f, 0.3f}}), SIZE, SIZE, SIZE, SIZE),
                new ImageTarget(2, new int[0], Nd4j.create(DataType.FLOAT, 0, 4), 40, SIZE, 40, SIZE)));
        feeds = objective.feeds(batch, 0);
    }

    @Test
    void termsAreNamedAndFed() {
        assertTrue(objective.termNames().containsAll(List.of("kd_feat_0", "kd_feat_1", "kd_feat_2", "kd_relation_0",
                "kd_relation_1", "fitnet", "mgd")), objective.termNames().toString());
        for (int k = 0; k < LT; k++) assertArrayEquals(new long[]{2, 1, 2, 2}, feeds.get(TargetAwareFeatureDistillation.psi(k, 0)).shape());
        assertArrayEquals(new long[]{2, DT, 2, 2}, feeds.get(TargetAwareFeatureDistillation.teacherFeature(0)).shape());
        assertArrayEquals(new long[]{2, 1, 2, 2}, feeds.get(MaskedGenerativeDistillation.keepMask(0)).shape());
        // every student query (6) meets one of the 5 teacher predictions per image: 10 pairs
        assertEquals(10, feeds.get(QueryRelationDistillation.studentIndex(0)).length());
        assertArrayEquals(new long[]{10, DT}, feeds.get(QueryRelationDistillation.teacherHidden(1)).shape());
        Map<String, INDArray> out = det.sameDiff().output(feeds, objective.loss());
        assertTrue(Double.isFinite(out.get(objective.loss()).getDouble(0)));
    }

    @Test
    void maskAndFeatureLossAgreeWithTheReference() {
        SameDiff sd = det.sameDiff();
        INDArray studentF = sd.output(det.feeds(batch.images(), batch.mask()), DetectorNames.feature(0))
                .get(DetectorNames.feature(0)).castTo(DataType.DOUBLE);
        INDArray w = sd.getArrForVarName("kd_feat.adapter.0.weight").castTo(DataType.DOUBLE);   // [1,1,32,48]
        INDArray bias = sd.getArrForVarName("kd_feat.adapter.0.bias").castTo(DataType.DOUBLE);
        INDArray adapted = Nd4j.create(DataType.DOUBLE, 2, DT, 2, 2);
        for (int b = 0; b < 2; b++) for (int y = 0; y < 2; y++) for (int x = 0; x < 2; x++) {
            INDArray v = studentF.get(NDArrayIndex.point(b), NDArrayIndex.all(), NDArrayIndex.point(y), NDArrayIndex.point(x));
            INDArray o = v.reshape(1, 32).mmul(w.reshape(32, DT)).reshape(DT).addi(bias);
            adapted.get(NDArrayIndex.point(b), NDArrayIndex.all(), NDArrayIndex.point(y), NDArrayIndex.point(x)).assign(o);
        }
        INDArray teacherF = teacher.outputs().get(DetectorNames.feature(0)).castTo(DataType.DOUBLE);
        Map<String, INDArray> out = sd.output(feeds, "kd_feat_0", "kd_feat_1", "kd_feat_2");
        for (int k = 0; k < LT; k++) {
            List<TeacherQueryQuality.Selection> sel = new ArrayList<>();
            for (int b = 0; b < 2; b++) {
                sel.add(TeacherQueryQuality.select(teacher.outputs().get(DetectorNames.stageLogits(k)).slice(b),
                        teacher.outputs().get(DetectorNames.stageBoxes(k)).slice(b), batch.targets().get(b).boxes(), 100));
            }
            double[][][] psi = TargetAwareMaskReference.psi(teacherF, teacher.outputs().get(DetectorNames.stageHidden(k)).castTo(DataType.DOUBLE), sel);
            INDArray fed = feeds.get(TargetAwareFeatureDistillation.psi(k, 0));
            for (int b = 0; b < 2; b++) for (int y = 0; y < 2; y++) for (int x = 0; x < 2; x++) {
                assertEquals(psi[b][y][x], fed.getDouble(b, 0, y, x), 1e-6, "psi stage " + k);
            }
            double ref = TargetAwareMaskReference.stageLoss(List.<double[][][]>of(psi), List.of(teacherF), List.of(adapted));
            assertEquals(ref, out.get("kd_feat_" + k).getDouble(0), 1e-5 * ref, "kd_feat_" + k);
        }
    }

    @Test
    void relationPairsAreTheStudentToTeacherMatching() {
        SameDiff sd = det.sameDiff();
        HungarianMatcher matcher = new HungarianMatcher(MatcherConfig.detrDistill());
        int[] teacherStage = {0, 2};   // L_S = 2, L_T = 3: StageGrouping, groups [0] and [1, 2]
        for (int j = 0; j < 2; j++) {
            Map<String, INDArray> s = sd.output(det.feeds(batch.images(), batch.mask()), DetectorNames.stageLogits(j), DetectorNames.stageBoxes(j));
            int t = teacherStage[j];
            List<Assignment> a = matcher.matchSoft(s.get(DetectorNames.stageLogits(j)), s.get(DetectorNames.stageBoxes(j)),
                    teacher.outputs().get(DetectorNames.stageBoxes(t)),
                    Transforms.sigmoid(teacher.outputs().get(DetectorNames.stageLogits(t)).castTo(DataType.DOUBLE), true));
            INDArray index = feeds.get(QueryRelationDistillation.studentIndex(j));
            INDArray rows = feeds.get(QueryRelationDistillation.teacherHidden(j));
            int row = 0;
            for (int b = 0; b < 2; b++) {
                assertEquals(QT, a.get(b).size());
                for (int i = 0; i < a.get(b).size(); i++, row++) {
                    assertEquals(b * 6 + a.get(b).queryIndex()[i], index.getInt(row));
                    assertEquals(teacher.outputs().get(DetectorNames.stageHidden(t)).get(NDArrayIndex.point(b),
                            NDArrayIndex.point(a.get(b).targetIndex()[i]), NDArrayIndex.all()), rows.getRow(row));
                }
            }
        }
    }

    @Test
    void gradientsReachTheNewParameters() {
        List<String> names = List.of("kd_feat.adapter.0.weight", "fitnet.adapter.0.weight", "mgd.align.0.weight",
                "mgd.generation.0.0.weight", "kd_relation.student.proj.weight", "kd_relation.teacher.fc2.weight", "input_proj.weight");
        Map<String, INDArray> g = det.sameDiff().calculateGradients(feeds, names);
        for (String n : names) assertTrue(g.get(n).amaxNumber().doubleValue() > 0, "no gradient reaches " + n);
    }

    @Test
    void mgdMasksAreReproducibleAndChange() {
        MaskedGenerativeDistillation.Options o = MaskedGenerativeDistillation.Options.builder().teacherWidth(DT).seed(4).build();
        MaskedGenerativeDistillation a = new MaskedGenerativeDistillation(det, teacher, o), b = new MaskedGenerativeDistillation(det, teacher, o);
        Map<String, INDArray> student = Map.of(DetectorNames.feature(0), Nd4j.zeros(DataType.FLOAT, 2, 32, 2, 2));
        DistillContext step3 = new DistillContext(batch, teacher.outputs(), student, 3);
        String key = MaskedGenerativeDistillation.keepMask(0);
        INDArray first = a.feeds(step3).get(key), second = a.feeds(step3).get(key);
        assertEquals(first, b.feeds(step3).get(key), "same seed, step and draw: same mask");
        assertNotEquals(first, second, "the next draw at the same step is another mask");
        MaskedGenerativeDistillation c = new MaskedGenerativeDistillation(det, teacher, o);
        assertEquals(feeds.get(key), c.feeds(new DistillContext(batch, teacher.outputs(), student, 0)).get(key),
                "the objective's first draw (step 0) is reproduced by a fresh term");
    }

    @Test
    void incompatibleTeachersAreRefused() {
        Random r = new Random(8);
        FixedTeacher twoLevels = new FixedTeacher(teacherArrays(r, 2, 2, DT), LT);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new TargetAwareFeatureDistillation(det, twoLevels,
                TargetAwareFeatureDistillation.Options.builder().teacherWidth(DT).build()));
        assertTrue(e.getMessage().contains("1 feature level(s) and the teacher (fixed test teacher) provides 2"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new FitNetDistillation(det, twoLevels, FitNetDistillation.Options.defaults()));

        Map<String, INDArray> student = Map.of(DetectorNames.feature(0), Nd4j.zeros(DataType.FLOAT, 2, 32, 2, 2));
        FixedTeacher bigCanvas = new FixedTeacher(teacherArrays(r, 1, 4, DT), LT);
        FitNetDistillation fit = new FitNetDistillation(det, bigCanvas, FitNetDistillation.Options.builder().teacherWidth(DT).build());
        e = assertThrows(IllegalArgumentException.class, () -> fit.feeds(new DistillContext(batch, bigCanvas.outputs(), student, 0)));
        assertTrue(e.getMessage().contains("teacher feature_0 is 4x4 but the student's is 2x2") && e.getMessage().contains("canvas"), e.getMessage());

        FitNetDistillation sameWidth = new FitNetDistillation(det, teacher, FitNetDistillation.Options.defaults());   // assumes d_T = 32
        e = assertThrows(IllegalArgumentException.class, () -> sameWidth.feeds(new DistillContext(batch, teacher.outputs(), student, 0)));
        assertTrue(e.getMessage().contains("width 48") && e.getMessage().contains("teacherWidth 32"), e.getMessage());
    }
}

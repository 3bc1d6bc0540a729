package org.detrdistill.distill.teacher;

import org.detrdistill.core.backbone.BackboneConfig;
import org.detrdistill.core.matcher.Assignment;
import org.detrdistill.core.matcher.MatcherConfig;
import org.detrdistill.core.model.DetectorConfig;
import org.detrdistill.core.model.DetectorGraph;
import org.detrdistill.core.model.DetectorNames;
import org.detrdistill.core.model.Variant;
import org.detrdistill.core.onnx.OnnxOutputMapping;
import org.detrdistill.core.onnx.OnnxTeacherBundle;
import org.detrdistill.core.testutil.Fixture;
import org.detrdistill.core.train.DetectionObjective;
import org.detrdistill.core.train.DetectorTrainer;
import org.detrdistill.core.train.StepMetrics;
import org.detrdistill.core.train.TrainerConfig;
import org.detrdistill.core.train.TrainingListener;
import org.detrdistill.core.variant.Detectors;
import org.detrdistill.datasets.batch.CocoDetectionIterator;
import org.detrdistill.datasets.batch.DetectionBatch;
import org.detrdistill.datasets.batch.ImageTarget;
import org.detrdistill.datasets.batch.LoaderConfig;
import org.detrdistill.datasets.coco.CocoDataset;
import org.detrdistill.datasets.coco.CocoInstancesReader;
import org.detrdistill.datasets.coco.CocoReadOptions;
import org.detrdistill.datasets.image.DetrTransforms;
import org.detrdistill.datasets.synth.SyntheticCocoConfig;
import org.detrdistill.datasets.synth.SyntheticCocoDataset;
import org.detrdistill.datasets.synth.SyntheticCocoGenerator;
import org.detrdistill.datasets.synth.SyntheticSplit;
import org.detrdistill.distill.DistillTerm;
import org.detrdistill.distill.DistillTermRegistry;
import org.detrdistill.distill.DistillationObjective;
import org.detrdistill.distill.TeacherLoader;
import org.detrdistill.distill.TeacherOutputs;
import org.detrdistill.distill.TeacherSpec;
import org.detrdistill.distill.TermContext;
import org.detrdistill.distill.TermOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The ONNX teacher on {@code onnx_demo/detr_demo_64} (tools/export_onnx.py's DETR-like demo with its neck output):
 * loaded from an import-onnx bundle through {@link TeacherLoader} (one graph import for the class, which also pays
 * DL4J's descriptor loading), parity with the PyTorch outputs through the contract, its own assignment and box-level
 * outputs, two distillation steps (DETRDistill logits + features, FitNet, Teach-DETR) with a smaller Conditional
 * DETR student, and a teacher without stage outputs or features saying which terms it cannot serve.
 */
class OnnxTeacherTest {
    private static final int SIZE = 64, CLASSES = 5;
    @TempDir static Path tmp;
    private static Fixture fixture;
    private static Path bundle;
    private static TeacherLoader loader;
    private static OnnxTeacher teacher;

    @BeforeAll
    static void importOnce() throws Exception {
        fixture = Fixture.load("onnx_demo", "detr_demo_64");
        bundle = tmp.resolve("teacher.zip");
        OnnxTeacherBundle.write(bundle, fixture.dir().resolve("model.onnx"),
                OnnxOutputMapping.read(fixture.dir().resolve(OnnxOutputMapping.EXPORT_FILE)), new long[] {1, 3, SIZE, SIZE});
        loader = new TeacherLoader(null, MatcherConfig.deformableDetr());
        long cpu0 = cpu(), proc0 = processCpu(), t0 = System.nanoTime();
        // a bundle passed as a 'checkpoint' (what 'distill --teacher FILE' may do) is recognised and loaded as ONNX
        teacher = (OnnxTeacher) loader.load(TeacherSpec.checkpoint(bundle).withSelection(0.0, 5));
        System.out.printf("OnnxTeacher load (first import in this JVM): %.1f s wall, %.1f s thread CPU, %.1f s process CPU "
                        + "(rewrite %d ms, DL4J import %d ms)%n", (System.nanoTime() - t0) / 1e9, (cpu() - cpu0) / 1e9,
                (processCpu() - proc0) / 1e9, teacher.graph().imported().rewriteMillis(),
                teacher.graph().imported().importMillis());
    }

    @AfterAll
    static void close() { if (loader != null) loader.close(); }

    private static long cpu() { return ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime(); }

    private static long processCpu() {
        return ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os
                ? os.getProcessCpuTime() : 0;
    }

    private static double maxDiff(INDArray a, INDArray b) {
        assertArrayEquals(b.shape(), a.shape());
        return a.castTo(DataType.DOUBLE).sub(b.castTo(DataType.DOUBLE)).amaxNumber().doubleValue();
    }

    private static INDArray first(INDArray a) { return a.get(NDArrayIndex.interval(0, 1)).dup(); }

    /** The fixture's image and a darker copy; image 0 has two boxes, image 1 one. */
    private static DetectionBatch batch() {
        INDArray x = fixture.npy("input");
        ImageTarget a = new ImageTarget(1, new int[] {0, 3}, Nd4j.createFromArray(new float[][] {{0.3f, 0.3f, 0.2f, 0.2f},
                {0.7f, 0.6f, 0.3f, 0.4f}}), SIZE, SIZE, SIZE, SIZE);
        ImageTarget b = new ImageTarget(2, new int[] {4}, Nd4j.createFromArray(new float[][] {{0.5f, 0.5f, 0.4f, 0.4f}}),
                SIZE, SIZE, SIZE, SIZE);
        return new DetectionBatch(Nd4j.concat(0, x, x.mul(0.5)), Nd4j.zeros(DataType.FLOAT, 2, SIZE, SIZE), List.of(a, b));
    }

    @Test
    void reproducesTheExportThroughTheContractWithItsOwnAssignmentAndBoxes() {
        assertEquals(List.of("pred_logits", "pred_boxes", "stage_0/logits", "stage_0/boxes", "stage_0/hidden", "stage_1/logits",
                "stage_1/boxes", "stage_1/hidden", "feature_0"), List.copyOf(teacher.provides()));
        assertEquals(2, teacher.numStages());
        assertEquals(CLASSES, teacher.numClasses());
        assertEquals(32, teacher.hiddenDim());
        assertEquals(SIZE, teacher.inputHeight());
        assertEquals(SIZE, teacher.inputWidth());
        assertTrue(teacher.describe().startsWith("onnx (" + bundle), teacher.describe());
        for (SDVariable v : teacher.graph().sameDiff().variables()) {
            assertNotEquals(VariableType.VARIABLE, v.getVariableType(), v.name() + " is trainable");
        }
        assertTrue(teacher.components().stream().allMatch(TeacherComponents.Component::available), teacher.components().toString());

        long runs = teacher.runCount();
        DetectionBatch batch = batch();
        TeacherOutputs out = teacher.run(batch);
        assertEquals(runs + 1, teacher.runCount());
        assertEquals(teacher.provides(), out.arrays().keySet());
        Map<String, Double> diffs = new LinkedHashMap<>();
        diffs.put("pred_logits", maxDiff(first(out.get(DetectorNames.LOGITS)), fixture.npy("ref_outputs/pred_logits")));
        diffs.put("pred_boxes", maxDiff(first(out.get(DetectorNames.BOXES)), fixture.npy("ref_outputs/pred_boxes")));
        diffs.put("aux_logits", maxDiff(first(out.get(DetectorNames.stageLogits(0))), fixture.npy("ref_outputs/aux_logits").get(NDArrayIndex.point(0))));
        diffs.put("aux_boxes", maxDiff(first(out.get(DetectorNames.stageBoxes(0))), fixture.npy("ref_outputs/aux_boxes").get(NDArrayIndex.point(0))));
        diffs.put("hs[1]", maxDiff(first(out.get(DetectorNames.stageHidden(1))), fixture.npy("ref_outputs/hs").get(NDArrayIndex.point(1))));
        diffs.put("feature_0", maxDiff(first(out.get(DetectorNames.feature(0))), fixture.npy("ref_outputs/feature_0")));
        System.out.println("OnnxTeacher vs PyTorch, max |diff|: " + diffs);
        diffs.forEach((k, d) -> assertTrue(d <= 1e-4, k + " differs by " + d));
        assertArrayEquals(new long[] {2, 32, 2, 2}, out.get(DetectorNames.feature(0)).shape());
        assertFalse(out.get(DetectorNames.LOGITS).get(NDArrayIndex.point(1)).equalsWithEps(
                out.get(DetectorNames.LOGITS).get(NDArrayIndex.point(0)), 1e-3), "image 1 gets its own prediction");

        // its own Hungarian assignment: every stage, every image, one query per ground-truth box
        assertEquals(2, out.assignments().size());
        for (List<Assignment> stage : out.assignments()) {
            assertEquals(2, stage.size());
            assertEquals(2, stage.get(0).size());
            assertEquals(1, stage.get(1).size());
        }
        // box-level outputs: top (query, class) pairs of the final stage, threshold 0, at most 5, by score
        for (int b = 0; b < 2; b++) {
            double[] s = out.scores().get(b);
            assertEquals(5, s.length);
            for (int i = 1; i < s.length; i++) assertTrue(s[i - 1] >= s[i]);
            assertArrayEquals(new long[] {5, 4}, out.boxes().get(b).shape());
            for (int l : out.labels().get(b)) assertTrue(l >= 0 && l < CLASSES);
        }
        IllegalArgumentException canvas = assertThrows(IllegalArgumentException.class,
                () -> teacher.requireSameCanvas(studentConfig(16, 128), "kd_logits"));
        assertTrue(canvas.getMessage().contains("64x64") && canvas.getMessage().contains("128x128"), canvas.getMessage());
    }

    private static DetectorConfig studentConfig(int width, int size) {
        return DetectorConfig.builder(Variant.CONDITIONAL_DETR).backbone(BackboneConfig.preset("tiny")).hiddenDim(width)
                .heads(2).encoderLayers(1).decoderLayers(2).ffnDim(width).numQueries(6).numClasses(CLASSES)
                .inputSize(size, size).build();
    }

    private static DistillationObjective objective(DetectorGraph student, OnnxTeacher t, String... terms) {
        DistillTermRegistry registry = DistillTermRegistry.standard();
        TermContext ctx = new TermContext(student, t, loader, MatcherConfig.deformableDetr());
        List<DistillTerm> built = new ArrayList<>();
        Map<String, Double> weights = new LinkedHashMap<>();
        for (String name : terms) {
            built.add(registry.entry(name).factory().create(new TermOptions("terms." + name, Map.of()), ctx));
            weights.put(name, registry.entry(name).defaultLambda());
        }
        return new DistillationObjective(new DetectionObjective(student), t, built, weights);
    }

    @Test
    void distillsASmallerStudentForTwoSteps() throws Exception {
        SyntheticCocoDataset data = SyntheticCocoGenerator.generate(SyntheticCocoConfig.builder().numTrainImages(4)
                .numValImages(0).imageWidth(SIZE).imageHeight(SIZE).maxObjects(2)
                .classes(SyntheticCocoConfig.DEFAULT_CLASSES.subList(0, CLASSES)).seed(3).build(), tmp.resolve("synth"), 1);
        CocoDataset train = CocoInstancesReader.read(data.annotations(SyntheticSplit.TRAIN),
                CocoReadOptions.builder().imageRoot(data.imageDir(SyntheticSplit.TRAIN)).build());
        CocoDetectionIterator batches = CocoDetectionIterator.builder(train).imageRoot(train.imageRoot().orElseThrow())
                .config(LoaderConfig.builder().batchSize(2).workers(0).shuffle(true).seed(9).canvas(SIZE, SIZE).build())
                .transform(DetrTransforms.eval(SIZE, SIZE)).build();
        DetectorGraph student = Detectors.build(studentConfig(16, SIZE), DataType.FLOAT, 2);   // width 16, teacher 32
        DistillationObjective objective = objective(student, teacher, "kd_logits", "kd_feat", "fitnet", "teach_detr");

        List<StepMetrics> steps = new ArrayList<>();
        TrainingListener recorder = new TrainingListener() {
            @Override public void onStepEnd(StepMetrics m) { steps.add(m); }
        };
        long runs = teacher.runCount();
        TrainerConfig twoSteps = TrainerConfig.builder(Variant.CONDITIONAL_DETR).epochs(1).maxIterations(2).lr(1e-3).build();
        new DetectorTrainer(objective, twoSteps, tmp.resolve("student"), List.of(recorder)).fit(batches, null, false);

        assertEquals(2, steps.size());
        for (StepMetrics m : steps) {
            for (String term : List.of("loss_ce", "kd_logits_0", "kd_logits_1", "kd_feat_0", "kd_feat_1", "fitnet", "teach_detr_teacher")) {
                assertTrue(m.weighted().containsKey(term), term + " in " + m.weighted().keySet());
                assertTrue(Double.isFinite(m.weighted().get(term)) && m.weighted().get(term) > 0, term + " = " + m.weighted().get(term));
            }
            System.out.println("distillation step " + m.step() + " with the ONNX teacher: " + m.weighted());
        }
        assertEquals(runs + 2, teacher.runCount(), "the teacher ran exactly once per batch");
        assertTrue(Files.isRegularFile(tmp.resolve("student").resolve("last.zip")));
    }

    @Test
    void aTeacherWithoutEarlierStagesOrFeaturesSaysWhichTermsItCannotServe() {
        OnnxOutputMapping finalOnly = OnnxOutputMapping.builder().logits("pred_logits").boxes("pred_boxes").hidden("hs").build();
        OnnxTeacher partial = OnnxTeacher.load(fixture.dir().resolve("model.onnx"), finalOnly, NativeTeacher.Options.defaults());
        assertEquals(2, partial.numStages());
        Map<String, TeacherComponents.Component> c = new LinkedHashMap<>();
        for (TeacherComponents.Component x : partial.components()) c.put(x.term(), x);
        assertTrue(c.get("teach_detr").available(), c.toString());
        assertEquals(List.of("stage_0/logits", "stage_0/boxes"), c.get("kd_logits").missing());
        assertFalse(c.get("kd_relation").available());
        assertEquals(List.of("feature_0"), c.get("fitnet").missing());

        DetectorGraph student = Detectors.build(studentConfig(16, SIZE), DataType.FLOAT, 3);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> objective(student, partial, "kd_logits"));
        assertTrue(e.getMessage().contains("kd_logits") && e.getMessage().contains("stage_0/logits")
                && e.getMessage().contains("onnx ("), e.getMessage());

        // Teach-DETR needs only boxes and scores: it builds and feeds
        DistillationObjective teach = objective(Detectors.build(studentConfig(16, SIZE), DataType.FLOAT, 4), partial, "teach_detr");
        Map<String, INDArray> feeds = teach.feeds(batch(), 0);
        assertTrue(feeds.keySet().stream().anyMatch(k -> k.startsWith("teach_detr")), feeds.keySet().toString());
        assertTrue(partial.run(batch()).assignments().isEmpty(), "no assignment without every stage's logits and boxes");
    }

    @Test
    void specsBundlesAndTheirErrors() throws Exception {
        Path onnx = fixture.dir().resolve("model.onnx");
        assertTrue(OnnxTeacherBundle.isBundle(bundle));
        assertFalse(OnnxTeacherBundle.isBundle(onnx));
        assertTrue(TeacherSpec.of(bundle).isOnnx());
        assertTrue(TeacherSpec.of(onnx).isOnnx());
        assertTrue(TeacherSpec.of(tmp.resolve("best.zip")).isNative());
        assertNotNull(TeacherSpec.of(tmp.resolve("teacher.json")).results());

        TeacherSpec spec = TeacherSpec.onnx(onnx, fixture.dir().resolve(OnnxOutputMapping.EXPORT_FILE));
        assertEquals(spec, TeacherSpec.fromMap(spec.toMap(), "teacher", java.util.Set.of()));
        IllegalArgumentException both = assertThrows(IllegalArgumentException.class,
                () -> TeacherSpec.fromMap(Map.of("onnx", "a.zip", "checkpoint", "b.zip"), "teacher", java.util.Set.of()));
        assertTrue(both.getMessage().contains("exactly one"), both.getMessage());
        IllegalArgumentException mappingAlone = assertThrows(IllegalArgumentException.class,
                () -> TeacherSpec.fromMap(Map.of("checkpoint", "b.zip", "mapping", "m.json"), "teacher", java.util.Set.of()));
        assertTrue(mappingAlone.getMessage().contains("'mapping'"), mappingAlone.getMessage());

        Path notZip = Files.writeString(tmp.resolve("broken.zip"), "not a zip");
        IllegalArgumentException broken = assertThrows(IllegalArgumentException.class, () -> OnnxTeacherBundle.read(notZip));
        assertTrue(broken.getMessage().contains(notZip.toString()), broken.getMessage());
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class, () -> OnnxTeacherBundle.write(
                tmp.resolve("bad.zip"), onnx, OnnxOutputMapping.builder().logits("pred_logits").boxes("boxes_out").build(),
                new long[] {1, 3, SIZE, SIZE}));
        assertTrue(unknown.getMessage().contains("boxes_out (boxes)") && unknown.getMessage().contains("pred_boxes"), unknown.getMessage());
        assertFalse(Files.exists(tmp.resolve("bad.zip")), "nothing written");

        OnnxTeacherBundle read = OnnxTeacherBundle.read(bundle);
        assertArrayEquals(new long[] {1, 3, SIZE, SIZE}, read.inputShape());
        assertEquals(List.of("feature_0"), read.mapping().features());
        assertEquals("images", read.inputName());
    }
}

package org.detrdistill.distill;

import org.detrdistill.core.internal.dl4j.FastExecution;
import org.detrdistill.core.internal.dl4j.StagedGradients;
import org.detrdistill.core.matcher.MatcherConfig;
import org.detrdistill.core.model.DetectorGraph;
import org.detrdistill.core.model.Variant;
import org.detrdistill.core.testutil.TinyDetectors;
import org.detrdistill.core.train.DetectionObjective;
import org.detrdistill.core.train.StagedFeeds;
import org.detrdistill.core.variant.Detectors;
import org.detrdistill.datasets.batch.DetectionBatch;
import org.detrdistill.distill.teacher.NativeTeacher;
import org.detrdistill.distill.testutil.TinyTeachers;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The one-pass step of {@link DistillationObjective#stagedFeeds} against the two-pass way ({@link
 * DistillationObjective#feeds}, then forward + backward): with every term of the registry that a native teacher of the
 * same variant allows (a wider, deeper teacher with more queries), the losses and every parameter's gradient are the
 * same, the student's forward pass runs once and the teacher once per step.
 */
class DistillationObjectiveTest {
    private static final List<String> TERMS = List.of("kd_logits", "kd_feat", "kd_assign", "kd_relation", "fitnet", "mgd", "teach_detr");

    private static DistillationObjective objective(Variant variant, NativeTeacher teacher) {
        DetectorGraph student = Detectors.build(TinyDetectors.config(variant, 16, 2, 4), DataType.FLOAT, 5);
        TermContext ctx = new TermContext(student, teacher, new TeacherLoader(null, MatcherConfig.deformableDetr()),
                MatcherConfig.deformableDetr());
        List<DistillTerm> terms = new ArrayList<>();
        for (String name : TERMS) {
            terms.add(DistillTermRegistry.standard().entry(name).factory().create(TermOptions.empty("terms." + name), ctx));
        }
        return new DistillationObjective(new DetectionObjective(student), teacher, terms, Map.of("kd_relation", 0.2));
    }

    private static List<String> parameters(SameDiff sd) {
        List<String> names = new ArrayList<>();
        for (SDVariable v : sd.variables()) if (v.getVariableType() == VariableType.VARIABLE) names.add(v.name());
        return names;
    }

    @ParameterizedTest
    @EnumSource(Variant.class)
    void onePassGivesTheTwoPassLossesAndGradients(Variant variant) {
        assertTrue(FastExecution.install());
        NativeTeacher teacher = TinyTeachers.wider(variant);
        DetectionBatch batch = TinyDetectors.batch(DataType.FLOAT, 9);
        // two identical students (same seeds): MGD draws its masks per call, so each path gets a fresh term
        DistillationObjective twoPass = objective(variant, teacher), onePass = objective(variant, teacher);
        SameDiff a = twoPass.detector().sameDiff(), b = onePass.detector().sameDiff();
        List<String> params = parameters(a);
        assertEquals(params, parameters(b));
        List<String> outputs = new ArrayList<>(onePass.termNames());
        outputs.add(onePass.loss());

        long forwards = teacher.forwardCount();
        Map<String, INDArray> feeds = twoPass.feeds(batch, 3);
        var expected = a.calculateGradientsAndOutputs(feeds, outputs, params);
        StagedFeeds staged = onePass.stagedFeeds(batch, 3);
        assertEquals(onePass.studentOutputs(), staged.forwardOutputs());
        StagedGradients.Result r = StagedGradients.run(b, staged.known(), staged.forwardOutputs(), staged.fromForward(), outputs, params);
        assertEquals(forwards + 2, teacher.forwardCount(), "the teacher runs once per objective step");
        assertTrue(r.singlePass(), "the student's forward pass ran once");

        for (String o : outputs) {
            double e = expected.getOutputs().get(o).getDouble(0), g = r.outputs().get(o).getDouble(0);
            assertEquals(e, g, 1e-5 * Math.max(1, Math.abs(e)), o);
        }
        assertTrue(r.outputs().get(onePass.loss()).getDouble(0) > 0);
        for (String p : params) {
            INDArray e = expected.getGradients().get(p), g = r.gradients().get(p);
            if (e == null) { assertNull(g, p); continue; }
            double scale = Math.max(1e-3, e.amaxNumber().doubleValue());
            assertTrue(e.sub(g).amaxNumber().doubleValue() <= 1e-4 * scale, variant + ": gradient of " + p);
        }
    }
}

package org.detrdistill.distill.detrdistill;

import org.detrdistill.core.matcher.Assignment;
import org.detrdistill.core.matcher.MatcherConfig;
import org.detrdistill.core.model.DeformableOptions;
import org.detrdistill.core.model.DetectorConfig;
import org.detrdistill.core.model.DetectorGraph;
import org.detrdistill.core.model.DetectorNames;
import org.detrdistill.core.model.Variant;
import org.detrdistill.core.testutil.CentralDifference;
import org.detrdistill.core.testutil.TinyDetectors;
import org.detrdistill.core.variant.Detectors;
import org.detrdistill.datasets.batch.DetectionBatch;
import org.detrdistill.distill.DistillContext;
import org.detrdistill.distill.TeacherOutputs;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Double-precision central differences of {@code kd_assign} on a whole tiny Deformable DETR student (2 levels, 2 stages,
 * 3 queries of width 2·16) with a teacher of 4 queries of width 2·24 (so both halves go through their adapters) and
 * fixed assignments of 2 teacher stages: the adapters, the decoder, the reference-point head, the heads and the
 * encoder/neck below them get the right gradient; the student's own queries get none. Without box refinement: with it,
 * the next stage samples around detached boxes, a path finite differences see and backprop rightly ignores
 * ({@code DeformableDetrDetachTest}).
 */
class QueryPriorGradientTest {

    @Test
    void kdAssignGradientsMatchFiniteDifferences() {
        DataType saved = Nd4j.dataType();
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
        try {
            DetectorConfig config = TinyDetectors.config(Variant.DEFORMABLE_DETR, 16, 2, 3).toBuilder()
                    .deformable(new DeformableOptions(2, 2, 2, false, false, 4)).build();
            DetectorGraph student = Detectors.build(config, DataType.DOUBLE, 4);
            SameDiff sd = student.sameDiff();
            Nd4j.getRandom().setSeed(12);
            // the last box layers start at zero, which would leave no box gradient to check below them
            sd.getVariable("bbox_embed.0.layers.2.weight").setArray(Nd4j.randn(DataType.DOUBLE, 4, 16).muli(0.3));   // shared by the stages

            FixedTeacher teacher = new FixedTeacher(Map.of(), 2);
            QueryPriorAssignmentDistillation term = new QueryPriorAssignmentDistillation(student, teacher, MatcherConfig.deformableDetr(),
                    QueryPriorAssignmentDistillation.Options.builder().teacherQueries(4).teacherQueryWidth(48).seed(3).build());
            Map<String, SDVariable> losses = term.build(student, teacher);
            SDVariable total = losses.get("kd_assign_0").add(losses.get("kd_assign_1")).rename("kd_assign_total");
            sd.setLossVariables(total.name());

            DetectionBatch batch = TinyDetectors.batch(DataType.DOUBLE, 6);
            List<List<Assignment>> assignments = List.of(
                    List.of(new Assignment(new int[]{1, 3}, new int[]{0, 1}), new Assignment(new int[]{2}, new int[]{0})),
                    List.of(new Assignment(new int[]{0, 1}, new int[]{1, 0}), new Assignment(new int[]{3}, new int[]{0})));
            TeacherOutputs t = new TeacherOutputs(Map.of(DetectorNames.QUERY_EMBED, Nd4j.randn(DataType.DOUBLE, 4, 48)),
                    assignments, List.of(), List.of(), List.of());
            Map<String, INDArray> feeds = new HashMap<>(student.feeds(batch.images(), batch.mask()));
            feeds.putAll(term.feeds(new DistillContext(batch, t, Map.of(), 0)));

            List<String> vars = List.of("kd_assign.adapter.0.weight", "kd_assign.adapter.0.bias", "kd_assign.adapter.1.weight",
                    "kd_assign.adapter.1.bias", "transformer.reference_points.weight",
                    "transformer.decoder.layers.0.self_attn.in_proj_weight", "transformer.decoder.layers.0.cross_attn.sampling_offsets.weight",
                    "transformer.decoder.layers.1.cross_attn.attention_weights.weight", "transformer.decoder.layers.1.cross_attn.value_proj.weight",
                    "transformer.decoder.layers.1.linear1.weight", "transformer.decoder.layers.0.norm1.weight",
                    "transformer.encoder.layers.0.self_attn.value_proj.weight", "transformer.encoder.layers.0.linear1.weight", "input_proj.1.0.weight",
                    "class_embed.0.weight", "class_embed.0.bias", "bbox_embed.0.layers.0.weight", "bbox_embed.0.layers.2.bias");
            List<CentralDifference.Result> results = CentralDifference.checkAll(sd, total.name(), feeds, vars, 2, 1e-6, 5);
            List<CentralDifference.Result> bad = results.stream().filter(r -> !(r.maxRelError() <= 1e-5)).toList();
            assertTrue(bad.isEmpty(), "finite-difference mismatches: " + bad);
            for (CentralDifference.Result r : results) assertTrue(r.maxAbsGradient() > 1e-7, "no gradient reaches " + r.name());

            // the group does not use the student's own queries
            Map<String, INDArray> own = sd.calculateGradients(feeds, List.of("query_embed.weight", "class_embed.0.weight"));
            INDArray g = own.get("query_embed.weight");
            assertTrue(g == null || g.amaxNumber().doubleValue() == 0.0, "kd_assign reached the student's own queries");
        } finally {
            Nd4j.setDefaultDataTypes(saved, saved);
        }
    }
}

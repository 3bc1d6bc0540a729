package org.detrdistill.core.loss;

import com.fasterxml.jackson.databind.JsonNode;
import org.detrdistill.core.matcher.Assignment;
import org.detrdistill.core.testutil.FiniteDifference;
import org.detrdistill.core.testutil.Fixture;
import org.detrdistill.datasets.batch.ImageTarget;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Parity with facebookresearch/detr and Deformable DETR SetCriterion (fixtures/matcher_criterion): every loss term,
 * the weighted total and the gradients of the total w.r.t. every logits/boxes input, in double, to 1e-9; the
 * plain-Java reference too.
 */
class SetCriterionFixtureTest {
    private static final double TOL = 1e-9;

    @BeforeAll
    static void doublePrecision() {
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
    }

    /** Stage names of a case: final, aux_0 .. aux_{L-2}. */
    static List<String> stageNames(Fixture f) {
        List<String> names = new ArrayList<>();
        names.add("final");
        for (int i = 0; i < f.config().path("decoder_layers").asInt() - 1; i++) names.add("aux_" + i);
        return names;
    }

    /** Fixture input file prefix of a stage. */
    static String inputPrefix(String stage) {
        return stage.equals("final") ? "" : stage + "_";
    }

    static CriterionConfig config(Fixture f) {
        JsonNode c = f.config();
        CriterionConfig.Builder b = c.has("eos_coef")
                ? CriterionConfig.detrDefaults(c.path("num_classes").asInt()).toBuilder().eosCoef(c.path("eos_coef").asDouble())
                : CriterionConfig.focalDefaults(c.path("num_classes").asInt()).toBuilder()
                .focalAlpha(c.path("focal_alpha").asDouble()).focalGamma(c.path("focal_gamma").asDouble());
        b.clearWeights();
        for (Iterator<Map.Entry<String, JsonNode>> it = c.path("weight_dict").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            b.weight(e.getKey(), e.getValue().asDouble());
        }
        return b.build();
    }

    static List<ImageTarget> targets(Fixture f) {
        List<ImageTarget> out = new ArrayList<>();
        for (int b = 0; b < f.config().path("batch").asInt(); b++) {
            INDArray labels = f.npy("target_" + b + "_labels");
            int[] l = new int[length(f, "target_" + b + "_labels")];
            for (int i = 0; i < l.length; i++) l[i] = labels.getInt(i);
            out.add(new ImageTarget(b, l, f.npy("target_" + b + "_boxes", DataType.DOUBLE), 100, 100, 100, 100));
        }
        return out;
    }

    /**
     * Length of a 1-D fixture array, from the manifest: ND4J reads an empty {@code [0]} .npy file as a rank-0 array
     * of length 1.
     */
    static int length(Fixture f, String name) {
        for (JsonNode file : f.manifest().path("files")) {
            if (file.path("name").asText().equals(name + ".npy")) return file.path("shape").get(0).asInt();
        }
        throw new IllegalArgumentException("fixture has no file " + name);
    }

    /** The fixture's matching of one stage as one Assignment per image. */
    static List<Assignment> assignments(Fixture f, String stage, int batch) {
        INDArray bi = f.npy("match_" + stage + "_batch_idx");
        INDArray qi = f.npy("match_" + stage + "_query_idx");
        INDArray ti = f.npy("match_" + stage + "_target_idx");
        List<Assignment> out = new ArrayList<>();
        for (int b = 0; b < batch; b++) {
            List<int[]> pairs = new ArrayList<>();
            for (int k = 0; k < length(f, "match_" + stage + "_batch_idx"); k++) {
                if (bi.getInt(k) == b) pairs.add(new int[]{qi.getInt(k), ti.getInt(k)});
            }
            out.add(new Assignment(pairs.stream().mapToInt(p -> p[0]).toArray(), pairs.stream().mapToInt(p -> p[1]).toArray()));
        }
        return out;
    }

    @ParameterizedTest
    @ValueSource(strings = {"detr_b2_q10_c5_t4-0_L2", "detr_b2_q10_c5_allempty_L2", "detr_b3_q10_c5_t2-0-3_L3",
            "deformable_b2_q10_c5_t4-0_L2", "deformable_b2_q10_c5_allempty_L2", "deformable_b3_q10_c5_t2-0-3_L3"})
    void lossesTotalAndGradientsMatchTheReference(String caseName) {
        Fixture f = Fixture.load("matcher_criterion", caseName);
        CriterionConfig cfg = config(f);
        int batch = f.config().path("batch").asInt();
        int queries = f.config().path("num_queries").asInt();
        List<String> stageNames = stageNames(f);

        SameDiff sd = SameDiff.create();
        List<Stage> stages = new ArrayList<>();
        List<SetCriterionReference.StageArrays> arrays = new ArrayList<>();
        Map<String, INDArray> feed = new HashMap<>();
        List<String> inputs = new ArrayList<>();
        for (String s : stageNames) {
            String lg = inputPrefix(s) + "pred_logits";
            String bx = inputPrefix(s) + "pred_boxes";
            stages.add(new Stage(s, sd.placeHolder(lg, DataType.DOUBLE, -1, queries, cfg.classColumns()),
                    sd.placeHolder(bx, DataType.DOUBLE, -1, queries, 4)));
            feed.put(lg, f.npy(lg));
            feed.put(bx, f.npy(bx));
            inputs.add(lg);
            inputs.add(bx);
            arrays.add(new SetCriterionReference.StageArrays(s, f.npy(lg), f.npy(bx)));
        }
        CriterionGraph g = new SetCriterion(cfg).build(sd, stages);
        sd.setLossVariables(g.total().name());

        List<ImageTarget> targets = targets(f);
        TargetEncoder enc = TargetEncoder.forConfig(cfg, queries, DataType.DOUBLE);
        Map<String, EncodedTargets> encoded = new LinkedHashMap<>();
        for (String s : stageNames) encoded.put(s, enc.encode(assignments(f, s, batch), targets));
        double numBoxes = TargetEncoder.numBoxes(targets);
        assertEquals(f.expected().path("num_boxes").asDouble(), numBoxes, 0.0);
        feed.putAll(g.feed(encoded, numBoxes));

        List<String> outNames = new ArrayList<>(g.termNames());
        outNames.add(g.total().name());
        Map<String, INDArray> out = sd.output(feed, outNames.toArray(new String[0]));
        Map<String, Double> ref = new SetCriterionReference(cfg).losses(arrays, encoded, numBoxes);
        JsonNode losses = f.expected().path("losses");
        int compared = 0;
        for (Iterator<String> it = losses.fieldNames(); it.hasNext(); ) {
            String term = it.next();
            if (CriterionConfig.baseOf(term) == null) continue;   // class_error, cardinality_error: logging only
            double expected = losses.path(term).asDouble();
            assertEquals(expected, out.get(term).getDouble(0), TOL, caseName + " " + term);
            assertEquals(expected, ref.get(term), TOL, caseName + " reference " + term);
            compared++;
        }
        assertEquals(3 * stageNames.size(), compared, "every term compared");
        assertEquals(3 * stageNames.size(), g.terms().size());
        double total = f.expected().path("weighted_total").asDouble();
        assertEquals(total, out.get(g.total().name()).getDouble(0), TOL, caseName + " weighted total");
        assertEquals(total, ref.get("loss_total"), TOL, caseName + " reference total");

        // logging-only values, computed in Java
        for (String s : stageNames) {
            String suffix = Stage.suffixOf(s);
            assertEquals(losses.path("cardinality_error" + suffix).asDouble(),
                    CriterionMetrics.cardinalityError(f.npy(inputPrefix(s) + "pred_logits"), targets), 0.0,
                    caseName + " cardinality_error" + suffix);
        }
        assertEquals(losses.path("class_error").asDouble(), CriterionMetrics.classError(f.npy("pred_logits"),
                assignments(f, "final", batch), targets), 1e-12, caseName + " class_error");

        Map<String, INDArray> grads = FiniteDifference.analytic(sd, feed, inputs.toArray(new String[0]));
        for (String in : inputs) {
            INDArray expected = f.npy("grad_" + in);
            assertArrayEquals(expected.shape(), grads.get(in).shape(), in);
            assertEquals(0.0, FiniteDifference.maxAbsDiff(expected, grads.get(in)), TOL, caseName + " grad_" + in);
        }
    }
}

package org.detrdistill.core.variant;

import org.detrdistill.core.model.DetectorConfig;
import org.detrdistill.core.model.DetectorGraph;
import org.detrdistill.core.model.DetectorNames;
import org.detrdistill.core.model.QueryGroup;
import org.detrdistill.core.model.Variant;
import org.detrdistill.core.testutil.TinyDetectors;
import org.detrdistill.datasets.batch.DetectionBatch;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Extra query groups ({@link DetectorGraph#addQueryGroup}) on each variant: the detector's own outputs are bit for bit
 * those of a graph without the group, whatever the group's queries; the group fed with the detector's own queries
 * reproduces the detector's predictions (same decoder, same weights, same features); the group does not see the
 * detector's queries; bad queries are refused with the expected form.
 */
class QueryGroupTest {
    private static final int Q = 4, QG = 5, STAGES = 2;

    private static List<String> ownOutputs(int stages, boolean references) {
        List<String> names = new ArrayList<>(List.of(DetectorNames.LOGITS, DetectorNames.BOXES, DetectorNames.INIT_REFERENCE));
        for (int k = 0; k < stages; k++) {
            names.addAll(List.of(DetectorNames.stageLogits(k), DetectorNames.stageBoxes(k), DetectorNames.stageHidden(k)));
            if (references) names.add(DetectorNames.stageReference(k));
        }
        return names;
    }

    private static List<String> groupOutputs(QueryGroup g) {
        List<String> names = new ArrayList<>(List.of(g.initReference()));
        for (int k = 0; k < g.numStages(); k++) names.addAll(List.of(g.stageLogits(k), g.stageBoxes(k), g.stageHidden(k), g.stageReference(k)));
        return names;
    }

    @ParameterizedTest
    @EnumSource(Variant.class)
    void groupLeavesTheDetectorUnchangedAndSharesItsDecoder(Variant variant) {
        DetectorConfig config = TinyDetectors.config(variant, 16, STAGES, Q);
        DetectionBatch batch = TinyDetectors.batch(DataType.FLOAT, 3);
        DetectorGraph plain = Detectors.build(config, DataType.FLOAT, 7);
        DetectorGraph grouped = Detectors.build(config, DataType.FLOAT, 7);
        int dq = grouped.queryWidth();
        assertEquals(variant == Variant.DEFORMABLE_DETR ? 32 : 16, dq);
        QueryGroup g = grouped.addQueryGroup(DetectorNames.QUERY_PRIOR, QG);
        assertEquals(DetectorNames.groupQueries(DetectorNames.QUERY_PRIOR), g.queries());
        assertEquals("query_prior/stage_1/boxes", g.stageBoxes(1));
        assertEquals(Map.of(g.name(), g), grouped.queryGroups());

        // own outputs, with and without the group (fed with random queries, computed in the same call): bit-identical
        List<String> own = ownOutputs(STAGES, true);
        Map<String, INDArray> expected = plain.sameDiff().output(plain.feeds(batch.images(), batch.mask()), own.toArray(new String[0]));
        Map<String, INDArray> feeds = new HashMap<>(grouped.feeds(batch.images(), batch.mask()));
        feeds.put(g.queries(), Nd4j.randn(DataType.FLOAT, 1, QG, dq));
        List<String> both = new ArrayList<>(own);
        both.addAll(groupOutputs(g));
        Map<String, INDArray> actual = grouped.sameDiff().output(feeds, both.toArray(new String[0]));
        for (String n : own) assertEquals(expected.get(n), actual.get(n), n);   // exact: INDArray.equals on equal data
        for (String n : own) assertArrayEquals(expected.get(n).data().asDouble(), actual.get(n).data().asDouble(), 0.0, n);
        assertArrayEquals(new long[]{2, QG, 3}, actual.get(g.stageLogits(1)).shape());
        assertArrayEquals(new long[]{2, QG, 4}, actual.get(g.stageBoxes(0)).shape());
        assertArrayEquals(new long[]{2, QG, 16}, actual.get(g.stageHidden(1)).shape());

        // the group fed with the detector's own queries predicts what the detector predicts (per image: [B,Q,dq] feed)
        INDArray queryEmbed = grouped.sameDiff().getArrForVarName(variant == Variant.ADAMIXER ? AdaMixer.CONTENT_EMBED : "query_embed.weight");
        DetectorGraph same = Detectors.build(config, DataType.FLOAT, 7);
        QueryGroup mirror = same.addQueryGroup("mirror", Q);
        Map<String, INDArray> f = new HashMap<>(same.feeds(batch.images(), batch.mask()));
        f.put(mirror.queries(), Nd4j.concat(0, queryEmbed.reshape(1, Q, dq), queryEmbed.reshape(1, Q, dq)));
        List<String> pairs = new ArrayList<>(own.subList(2, own.size()));
        pairs.addAll(groupOutputs(mirror));
        Map<String, INDArray> out = same.sameDiff().output(f, pairs.toArray(new String[0]));
        for (int k = 0; k < STAGES; k++) {
            for (String[] p : new String[][]{{DetectorNames.stageLogits(k), mirror.stageLogits(k)},
                    {DetectorNames.stageBoxes(k), mirror.stageBoxes(k)}, {DetectorNames.stageHidden(k), mirror.stageHidden(k)},
                    {DetectorNames.stageReference(k), mirror.stageReference(k)}}) {
                double diff = out.get(p[0]).sub(out.get(p[1])).amaxNumber().doubleValue();
                assertTrue(diff <= 1e-5, variant + " " + p[1] + " differs from " + p[0] + " by " + diff);
            }
        }
        assertTrue(out.get(DetectorNames.INIT_REFERENCE).equalsWithEps(out.get(mirror.initReference()), 1e-6));

        // the group's outputs do not depend on the detector's own queries
        INDArray before = out.get(mirror.stageLogits(1)).dup();
        same.sameDiff().getVariable(variant == Variant.ADAMIXER ? AdaMixer.CONTENT_EMBED : "query_embed.weight")
                .setArray(queryEmbed.add(Nd4j.rand(DataType.FLOAT, queryEmbed.shape())));   // not a constant shift: AdaMixer layer-norms it
        Map<String, INDArray> again = same.sameDiff().output(f, mirror.stageLogits(1), DetectorNames.stageLogits(1));
        assertEquals(before, again.get(mirror.stageLogits(1)));
        assertNotEquals(out.get(DetectorNames.stageLogits(1)), again.get(DetectorNames.stageLogits(1)), "control: own queries matter");
    }

    @ParameterizedTest
    @EnumSource(value = Variant.class, names = {"DEFORMABLE_DETR", "ADAMIXER"})
    void badQueriesAreRefusedWithTheQueryForm(Variant variant) {
        DetectorGraph det = Detectors.build(TinyDetectors.config(variant, 16, 1, Q), DataType.FLOAT, 1);
        SDVariable narrow = det.sameDiff().placeHolder("narrow", DataType.FLOAT, QG, 8);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> det.addQueryGroup("g", narrow, QG));
        assertTrue(e.getMessage().contains("are 8 wide") && e.getMessage().contains(variant == Variant.ADAMIXER
                ? "content embedding before its LayerNorm" : "query_pos ‖ tgt"), e.getMessage());
        SDVariable ok = det.sameDiff().placeHolder("ok", DataType.FLOAT, QG, det.queryWidth());
        assertThrows(IllegalArgumentException.class, () -> det.addQueryGroup("g", ok, QG + 1));
        assertThrows(IllegalArgumentException.class, () -> det.addQueryGroup("bad/name", ok, QG));
        det.addQueryGroup("g", ok, QG);
        e = assertThrows(IllegalArgumentException.class, () -> det.addQueryGroup("g", ok, QG));
        assertTrue(e.getMessage().contains("already has a query group 'g'"), e.getMessage());
    }
}

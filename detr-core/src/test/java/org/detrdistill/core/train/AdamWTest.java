package org.detrdistill.core.train;

import com.fasterxml.jackson.databind.JsonNode;
import org.detrdistill.core.testutil.Fixture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link AdamW} against torch.optim.AdamW (fixtures/train) and against a plain-Java double reference. */
class AdamWTest {

    /** Max |java - torch| / (|torch| + 1e-7) over every parameter entry after every step, per case (logged). */
    static Stream<Arguments> cases() {
        return Stream.of("adamw_groups_warmup_step_clip", "adamw_tiny_grads_eps", "adamw_betas_lr")
                .flatMap(c -> Stream.of(Arguments.of(c, true), Arguments.of(c, false)));
    }

    @ParameterizedTest(name = "{0}, host kernel {1}")
    @MethodSource("cases")
    void matchesTorchAdamW(String caseName, boolean hostKernel) {
        Fixture f = Fixture.load("train", caseName);
        JsonNode cfg = f.config();
        AdamWConfig config = AdamWConfig.builder().beta1(cfg.get("betas").get(0).asDouble())
                .beta2(cfg.get("betas").get(1).asDouble()).eps(cfg.get("eps").asDouble())
                .weightDecay(cfg.get("weight_decay").asDouble()).build();
        ParamGroups groups = ParamGroups.deformableDetr().toBuilder()
                .rule(ParamRule.keywords("no_decay", 1, false, "norm1.bias")).build();
        LrSchedule schedule = schedule(cfg);
        GradientClipper clipper = new GradientClipper(cfg.get("clip_max_norm").asDouble());
        AdamW adamw = new AdamW(config, groups, hostKernel);

        List<JsonNode> params = new java.util.ArrayList<>();
        f.manifest().get("params").forEach(params::add);
        Map<String, Double> groupMult = new HashMap<>();
        List<String> groupNames = new java.util.ArrayList<>();
        for (JsonNode g : cfg.get("groups")) {
            groupMult.put(g.get("name").asText(), g.get("lr_multiplier").asDouble());
            groupNames.add(g.get("name").asText());
        }
        // the preset (plus the no-decay rule) assigns each parameter to the fixture's group
        for (JsonNode p : params) {
            ParamSetting s = adamw.setting(p.get("name").asText());
            JsonNode g = cfg.get("groups").get(groupNames.indexOf(p.get("group").asText()));
            assertEquals(g.get("lr_multiplier").asDouble(), s.lrMultiplier(), 0, p.get("name").asText());
            assertEquals(g.get("weight_decay").asBoolean(), s.weightDecay(), p.get("name").asText());
        }

        INDArray init = f.npy("init"), grads = f.npy("grads"), expected = f.npy("params"), lrs = f.npy("lr");
        INDArray norms = f.npy("total_norm");
        Map<String, INDArray> values = new LinkedHashMap<>();
        for (JsonNode p : params) values.put(p.get("name").asText(), slice(init, p));
        int steps = cfg.get("steps").asInt();
        double worst = 0;
        for (int k = 0; k < steps; k++) {
            for (int gi = 0; gi < groupNames.size(); gi++) {
                double want = lrs.getDouble(k, gi);
                double got = schedule.lr(k) * groupMult.get(groupNames.get(gi));
                assertEquals(want, got, 1e-12 * want, "lr of group " + groupNames.get(gi) + " at step " + k);
            }
            Map<String, INDArray> g = new LinkedHashMap<>();
            for (int i = 0; i < params.size(); i++) {
                if (f.manifest().get("grad_present").get(k).get(i).asBoolean()) {
                    g.put(params.get(i).get("name").asText(), slice(grads.getRow(k), params.get(i)));
                }
            }
            double norm = clipper.clip(g);
            if (clipper.enabled()) assertEquals(norms.getDouble(k), norm, 2e-6 * norm, "total norm at step " + k);
            adamw.step(values, g, schedule.lr(k));
            for (JsonNode p : params) {
                worst = Math.max(worst, maxRelDiff(values.get(p.get("name").asText()), slice(expected.getRow(k), p)));
            }
        }
        System.out.printf("%s (host kernel %s): max relative difference to torch over %d steps: %.3g%n", caseName, hostKernel, steps, worst);
        assertTrue(worst < 2e-6, "max relative difference " + worst);
        INDArray m = f.npy("exp_avg"), v = f.npy("exp_avg_sq");
        for (JsonNode p : params) {
            String name = p.get("name").asText();
            AdamW.ParamState s = adamw.state(name);
            assertEquals(p.get("steps_taken").asLong(), s.step(), name);
            double dm = scaledDiff(s.expAvg(), slice(m, p)), dv = scaledDiff(s.expAvgSq(), slice(v, p));
            System.out.printf("  %s: exp_avg %.3g, exp_avg_sq %.3g (max diff / max |torch|)%n", name, dm, dv);
            assertTrue(dm < 1e-5, "exp_avg of " + name + ": " + dm);
            assertTrue(dv < 1e-5, "exp_avg_sq of " + name + ": " + dv);
            assertEquals(DataType.FLOAT, s.expAvg().dataType());
        }
    }

    private static LrSchedule schedule(JsonNode cfg) {
        LrSchedule s = LrSchedule.constant(cfg.get("lr").asDouble());
        long[] milestones = new long[cfg.get("milestones").size()];
        for (int i = 0; i < milestones.length; i++) milestones[i] = cfg.get("milestones").get(i).asLong();
        s = s.stepDecay(cfg.get("gamma").asDouble(), milestones);
        JsonNode w = cfg.get("warmup");
        if (w != null && !w.isNull()) s = s.linearWarmup(w.get("iterations").asLong(), w.get("start_factor").asDouble());
        return s;
    }

    private static INDArray slice(INDArray flat, JsonNode p) {
        long off = p.get("offset").asLong();
        long[] shape = new long[p.get("shape").size()];
        long n = 1;
        for (int i = 0; i < shape.length; i++) n *= shape[i] = p.get("shape").get(i).asLong();
        return flat.reshape(flat.length()).get(NDArrayIndex.interval(off, off + n)).dup().reshape(shape);
    }

    private static double maxRelDiff(INDArray got, INDArray want) {
        double[] a = got.castTo(DataType.DOUBLE).data().asDouble(), b = want.castTo(DataType.DOUBLE).data().asDouble();
        assertEquals(b.length, a.length);
        double worst = 0;
        for (int i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]) / (Math.abs(b[i]) + 1e-7));
        return worst;
    }

    /** max |got - want| / max |want|: the moments cross zero, so entry-wise relative errors are meaningless there. */
    private static double scaledDiff(INDArray got, INDArray want) {
        double[] a = got.castTo(DataType.DOUBLE).data().asDouble(), b = want.castTo(DataType.DOUBLE).data().asDouble();
        double diff = 0, scale = 0;
        for (int i = 0; i < a.length; i++) {
            diff = Math.max(diff, Math.abs(a[i] - b[i]));
            scale = Math.max(scale, Math.abs(b[i]));
        }
        return diff / scale;
    }

    @ParameterizedTest(name = "host kernel {0}")
    @ValueSource(booleans = {true, false})
    void doublePrecisionMatchesPlainJavaReference(boolean hostKernel) {
        SplittableRandom rng = new SplittableRandom(5);
        int n = 37;
        double[] p = new double[n];
        for (int i = 0; i < n; i++) p[i] = rng.nextDouble(-1, 1);
        AdamWReference ref = new AdamWReference(n, 0.85, 0.99, 1e-7);
        AdamW adamw = new AdamW(AdamWConfig.builder().beta1(0.85).beta2(0.99).eps(1e-7).weightDecay(0.3).build(),
                ParamGroups.builder().rule(ParamRule.keywords("half", 0.5, true, "w")).build(), hostKernel);
        INDArray w = Nd4j.createFromArray(p.clone());
        Map<String, INDArray> params = Map.of("w", w);
        double[] lrs = {1e-3, 5e-2, 2e-2, 0, 1e-1, 3e-3};
        for (double lr : lrs) {
            double[] g = new double[n];
            for (int i = 0; i < n; i++) g[i] = rng.nextGaussian() * (i % 3 == 0 ? 1e-7 : 1);
            ref.update(p, g, lr * 0.5, 0.3);
            adamw.step(params, Map.of("w", Nd4j.createFromArray(g)), lr);
        }
        assertArrayEquals(p, w.toDoubleVector(), 1e-15);
        assertArrayEquals(ref.m, adamw.state("w").expAvg().toDoubleVector(), 1e-15);
        assertArrayEquals(ref.v, adamw.state("w").expAvgSq().toDoubleVector(), 1e-15);
        assertEquals(lrs.length, adamw.state("w").step());
    }

    @Test
    void viewsAndDenseArraysGiveTheSameUpdate() {
        INDArray dense = Nd4j.rand(DataType.FLOAT, 3, 4);
        INDArray base = Nd4j.zeros(DataType.FLOAT, 5, 6);
        INDArray view = base.get(NDArrayIndex.interval(1, 4), NDArrayIndex.interval(2, 6));
        view.assign(dense);
        assertTrue(AdamWHostKernel.applicable(dense));
        assertTrue(!AdamWHostKernel.applicable(view) && !AdamWHostKernel.applicable(Nd4j.rand(DataType.FLOAT, 3, 4).dup('f')));
        AdamW a = new AdamW(AdamWConfig.torchDefaults(), ParamGroups.uniform()), b = new AdamW(AdamWConfig.torchDefaults(), ParamGroups.uniform());
        SplittableRandom rng = new SplittableRandom(3);
        for (int k = 0; k < 4; k++) {
            INDArray g = Nd4j.rand(DataType.FLOAT, 3, 4).subi(0.5).muli(rng.nextDouble() * 3);
            a.step(Map.of("w", dense), Map.of("w", g), 0.01);
            b.step(Map.of("w", view), Map.of("w", g.transpose().dup().transpose()), 0.01);
        }
        float[] d = dense.dup().data().asFloat(), v = view.dup().data().asFloat();
        for (int i = 0; i < d.length; i++) assertEquals(d[i], v[i], 2e-7f * Math.abs(d[i]) + 1e-9f, "entry " + i);
        assertEquals(0f, base.getFloat(0, 0), "the update stays inside the view");
    }

    @Test
    void frozenAndAbsentParametersAreUntouchedAndStateless() {
        AdamW adamw = new AdamW(AdamWConfig.torchDefaults(), ParamGroups.builder().freezeKeywords("teacher.").build());
        INDArray frozen = Nd4j.createFromArray(1f, 2f), moving = Nd4j.createFromArray(1f, 2f), idle = Nd4j.createFromArray(3f);
        Map<String, INDArray> params = Map.of("teacher.w", frozen, "student.w", moving, "student.idle", idle);
        adamw.step(params, Map.of("teacher.w", Nd4j.createFromArray(1f, 1f), "student.w", Nd4j.createFromArray(1f, -1f)), 0.1);
        assertArrayEquals(new float[] {1f, 2f}, frozen.toFloatVector());
        assertArrayEquals(new float[] {3f}, idle.toFloatVector(), "no gradient: no weight decay either");
        assertNull(adamw.state("teacher.w"));
        assertNull(adamw.state("student.idle"));
        assertEquals(1, adamw.size());
        // first step moves by lr * sign(g) (bias-corrected m/sqrt(v) = g/|g|), after decay (1 - 0.1 * 0.01)
        assertArrayEquals(new float[] {1f * 0.999f - 0.1f, 2f * 0.999f + 0.1f}, moving.toFloatVector(), 1e-6f);
    }

    @Test
    void rejectsBadInput() {
        AdamW adamw = new AdamW(AdamWConfig.torchDefaults(), ParamGroups.uniform());
        Map<String, INDArray> params = Map.of("w", Nd4j.createFromArray(1f, 2f));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> adamw.step(params, Map.of("w", Nd4j.createFromArray(1f, 2f, 3f)), 0.1));
        assertTrue(e.getMessage().contains("'w'") && e.getMessage().contains("[3]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> adamw.step(params, Map.of("x", Nd4j.createFromArray(1f)), 0.1));
        assertTrue(e.getMessage().contains("'x'"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> adamw.step(params, Map.of(), Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> AdamWConfig.builder().beta2(1).build());
        assertThrows(IllegalArgumentException.class, () -> AdamWConfig.builder().weightDecay(-1).build());
    }
}

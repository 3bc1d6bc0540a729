package org.detrdistill.examples.bench;

import org.detrdistill.core.backbone.BackboneConfig;
import org.detrdistill.core.backbone.FeatureLevel;
import org.detrdistill.core.backbone.ResNetBackbone;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Arrays;
import java.util.Map;

/**
 * Forward time of a backbone preset (C2..C5 from one {@code output()} call).
 *
 * <p>Usage: {@code BackboneForwardBench [preset=tiny] [batch=2] [size=128] [iterations=20] [FLOAT|DOUBLE]}.
 * Run with {@code OMP_NUM_THREADS=1} (see DL4J-NOTES); the first 5 calls are warm-up.
 */
public final class BackboneForwardBench {
    private BackboneForwardBench() {}

    public static void main(String[] args) {
        String preset = args.length > 0 ? args[0] : "tiny";
        int batch = args.length > 1 ? Integer.parseInt(args[1]) : 2;
        int size = args.length > 2 ? Integer.parseInt(args[2]) : 128;
        int iterations = args.length > 3 ? Integer.parseInt(args[3]) : 20;
        DataType type = args.length > 4 ? DataType.valueOf(args[4]) : DataType.FLOAT;

        SameDiff sd = SameDiff.create();
        SDVariable images = sd.placeHolder("images", type, -1, 3, -1, -1);
        ResNetBackbone bb = ResNetBackbone.build(sd, images, BackboneConfig.preset(preset), 0);
        String[] outs = bb.levels().stream().map(FeatureLevel::variableName).toArray(String[]::new);
        INDArray x = Nd4j.rand(type, batch, 3, size, size);
        Map<String, INDArray> ph = Map.of("images", x);

        long t0 = System.nanoTime();
        Map<String, INDArray> r = sd.output(ph, outs);
        double first = (System.nanoTime() - t0) / 1e6;
        for (int i = 0; i < 4; i++) sd.output(ph, outs);
        double[] ms = new double[iterations];
        for (int i = 0; i < iterations; i++) {
            long t = System.nanoTime();
            sd.output(ph, outs);
            ms[i] = (System.nanoTime() - t) / 1e6;
        }
        Arrays.sort(ms);
        System.out.printf("backbone %s %s input %dx3x%dx%d, %d ops, OMP_NUM_THREADS=%s%n", preset, type, batch, size, size,
                sd.getOps().size(), System.getenv("OMP_NUM_THREADS"));
        for (String o : outs) System.out.println("  " + o + " " + Arrays.toString(r.get(o).shape()));
        System.out.printf("first call %.1f ms; then median %.2f ms, min %.2f ms, max %.2f ms over %d calls%n",
                first, ms[iterations / 2], ms[0], ms[iterations - 1], iterations);
    }
}

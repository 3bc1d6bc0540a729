package org.detrdistill.examples.bench;

import org.detrdistill.core.matcher.LinearSumAssignment;
import org.detrdistill.core.matcher.LsaSolution;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * JMH benchmark of {@link LinearSumAssignment} on dense random costs, the shapes a DETR matcher meets
 * (queries x targets, 3:1). Costs are uniform [0,1) doubles from a fixed seed, like {@code np.random.rand(n, m)};
 * SciPy 1.10.1 {@code linear_sum_assignment} took 0.195 ms (300x100) and 1.72 ms (900x300) on the project machine.
 *
 * <p>{@code solve} reuses one solver (its buffers), as the matcher does within a batch; {@code solveFreshSolver}
 * includes creating the solver and its buffers. Run from the repository root (also in detr-core/README.md):
 * <pre>
 * mvn -q -B -o -pl examples -am package -DskipTests
 * java -cp "examples/target/classes:$(cat examples/target/runtime.classpath)" org.openjdk.jmh.Main LinearSumAssignmentBench
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xmx512m"})
public class LinearSumAssignmentBench {
    /** {@code rows x cols} of the cost matrix. */
    @Param({"300x100", "900x300"})
    public String shape;

    private double[] cost;
    private int rows, cols;
    private LinearSumAssignment solver;

    @Setup
    public void setup() {
        String[] p = shape.split("x");
        rows = Integer.parseInt(p[0]);
        cols = Integer.parseInt(p[1]);
        Random rnd = new Random(42);
        cost = new double[rows * cols];
        for (int k = 0; k < cost.length; k++) cost[k] = rnd.nextDouble();
        solver = new LinearSumAssignment();
    }

    @Benchmark
    public LsaSolution solve() {
        return solver.solve(cost, rows, cols);
    }

    @Benchmark
    public LsaSolution solveFreshSolver() {
        return new LinearSumAssignment().solve(cost, rows, cols);
    }
}

package org.detrdistill.examples.cli;

import org.detrdistill.core.model.DetectorGraph;
import org.detrdistill.core.model.Variant;
import org.detrdistill.core.onnx.OnnxModel;
import org.detrdistill.core.onnx.OnnxNativeImport;
import org.detrdistill.core.onnx.OnnxOutputMapping;
import org.detrdistill.core.onnx.OnnxTeacherBundle;
import org.detrdistill.core.onnx.OnnxTeacherGraph;
import org.detrdistill.core.onnx.OnnxVerification;
import org.detrdistill.distill.teacher.TeacherComponents;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * {@code detr-distill import-onnx}: imports a teacher exported to ONNX ({@code tools/export_onnx.py}), prints a
 * summary (inputs, outputs, parameter count, op histogram, mapping, route), optionally verifies it against the
 * exporter's reference outputs, and writes a teacher file that {@code distill --teacher FILE} loads.
 *
 * <p>Two routes ({@code --route}, default {@code auto}):
 * <ul>
 *   <li>{@code native}: the model carries the official parameter names of Conditional or Deformable DETR
 *       ({@link OnnxNativeImport}). Its weights fill this framework's own detector, whose config is read from the
 *       weights plus the options ({@link NativeTeacherConfig}: the heads must be given); {@code --out} is a trainer
 *       checkpoint ({@code NativeTeacher}).</li>
 *   <li>{@code graph}: any other export. The graph is rewritten and imported into SameDiff ({@link OnnxTeacherGraph});
 *       {@code --out} is an ONNX teacher bundle ({@link OnnxTeacherBundle}: the model and its output mapping), loaded
 *       by {@code OnnxTeacher}.</li>
 * </ul>
 * {@code auto} takes {@code native} when the names are there. With {@code --verify-input x.npy --verify-outputs DIR}
 * ({@code DIR/<output>.npy}) the imported model runs on the input and the max absolute difference per output is
 * printed; above {@code --tolerance} the command fails (exit 1) and writes nothing.
 */
@Command(name = "import-onnx", mixinStandardHelpOptions = true, versionProvider = CliVersion.class, sortOptions = false,
        description = {"Import a teacher exported to ONNX: print a summary, verify it against reference outputs, and write",
                "a teacher file for 'distill --teacher' (a native checkpoint for official Conditional/Deformable DETR",
                "parameter names, else an ONNX teacher bundle)."},
        footer = {"", "Examples:",
                "  detr-distill import-onnx export/model.onnx --verify-input export/input.npy \\",
                "      --verify-outputs export/ref_outputs --out teacher.zip",
                "  detr-distill import-onnx conditional_detr.onnx --set heads=8 --out teacher.zip"})
public final class ImportOnnxCommand implements Callable<Integer>, UsesNd4j {

    /** Where the native route's config starts from (at most one; default: the detected variant's reference sizes). */
    static final class Base {
        @Option(names = "--variant", paramLabel = "NAME", description = "Native route: the variant (checked against the weights).")
        String variant;

        @Option(names = "--preset", paramLabel = "NAME", description = "Native route: a named detector config to start from.")
        String preset;

        @Option(names = "--config", paramLabel = "FILE", description = "Native route: a detector config JSON file to start from.")
        Path config;
    }

    /** Which import. */
    enum Route { AUTO, NATIVE, GRAPH }

    @Spec
    private CommandSpec spec;

    @Parameters(index = "0", paramLabel = "MODEL", description = "The .onnx file (e.g. from tools/export_onnx.py).")
    private Path model;

    @Option(names = {"-o", "--out"}, paramLabel = "FILE",
            description = "Write the teacher here (.zip). Without it, only the summary (and verification).")
    private Path out;

    @Option(names = "--force", description = "Replace an existing --out file.")
    private boolean force;

    @Option(names = "--route", paramLabel = "ROUTE", defaultValue = "auto",
            description = "auto (default), native (weights into this framework's detector) or graph (import the graph).")
    private Route route;

    @ArgGroup(exclusive = true, multiplicity = "0..1")
    private Base base;

    @Option(names = "--set", paramLabel = "KEY=VALUE",
            description = "Native route: override a detector config field, e.g. heads=8. Repeatable.")
    private List<String> overrides = new ArrayList<>();

    @Option(names = "--mapping", paramLabel = "FILE", description = {"Output mapping JSON (OnnxOutputMapping). Default: "
            + OnnxOutputMapping.EXPORT_FILE + " beside MODEL, else the DETR names (pred_logits, pred_boxes, aux_logits, "
            + "aux_boxes, hs, memory, feature_<l>) the graph has."})
    private Path mappingFile;

    @Option(names = "--verify-input", paramLabel = "X.npy", description = "Input to verify with ([B,3,H,W] float32).")
    private Path verifyInput;

    @Option(names = "--verify-outputs", paramLabel = "DIR", description = "Reference outputs: DIR/<output name>.npy.")
    private Path verifyOutputs;

    @Option(names = "--tolerance", paramLabel = "X", defaultValue = "1e-4",
            description = "Largest max-abs difference accepted by the verification (default ${DEFAULT-VALUE}).")
    private double tolerance;

    /** What was written (set by the routes after a passed verification), for the report. */
    private String written;
    /** Wall and process CPU at the start of an import. */
    private long wall0, cpu0;

    /** Imports, prints, verifies and writes; exit code 0, or 1 when the verification fails. */
    @Override
    public Integer call() throws IOException {
        PrintWriter stdout = spec.commandLine().getOut(), err = spec.commandLine().getErr();
        CliFiles.requireFile(model, "MODEL");
        if ((verifyInput == null) != (verifyOutputs == null)) {
            throw new IllegalArgumentException("--verify-input and --verify-outputs go together: give both or neither");
        }
        if (!(tolerance >= 0)) throw new IllegalArgumentException("--tolerance must be >= 0, got " + tolerance);
        if (out != null && Files.exists(out) && !force) {
            throw new FileAlreadyExistsException(out.toString(), null, "--out exists; add --force to replace it");
        }
        if (out != null && Files.isDirectory(out)) throw new IllegalArgumentException("--out " + out + " is a directory, not a file");
        OnnxModel m = OnnxModel.read(model);
        OnnxOutputMapping mapping = mappingFile != null ? OnnxOutputMapping.read(CliFiles.requireFile(mappingFile, "--mapping"))
                : OnnxOutputMapping.forModel(model, m);
        OnnxTeacherGraph.checkMapping(m, mapping);
        INDArray input = verifyInput == null ? null : readInput(CliFiles.requireFile(verifyInput, "--verify-input"));
        Map<String, INDArray> references = verifyOutputs == null ? null
                : OnnxVerification.readReferences(verifyOutputs, m.outputNames());

        OnnxReport report = new OnnxReport(stdout);
        report.model(m);
        Path beside = model.resolveSibling(OnnxOutputMapping.EXPORT_FILE);
        report.mapping(mapping, mappingFile != null ? "from " + mappingFile
                : Files.isRegularFile(beside) ? "from " + beside : "default DETR output names the graph has");
        Optional<Variant> variant = OnnxNativeImport.detectVariant(m);
        boolean nativeRoute = switch (route) {
            case NATIVE -> {
                if (variant.isEmpty()) {
                    throw new IllegalArgumentException("--route native: " + model + " does not carry the official parameter "
                            + "names of conditional_detr or deformable_detr" + (m.constantsFolded()
                            ? " (it was exported with constant folding; re-export with do_constant_folding=False)" : "")
                            + "; use --route graph");
                }
                yield true;
            }
            case GRAPH -> false;
            case AUTO -> variant.isPresent();
        };
        if (!nativeRoute && (base != null || !overrides.isEmpty())) {
            throw new IllegalArgumentException("--variant, --preset, --config and --set are for the native route; "
                    + model + " is imported as a graph" + (route == Route.AUTO ? " (its parameter names are not those of "
                    + "conditional_detr or deformable_detr)" : ""));
        }
        OnnxVerification.Result verification = nativeRoute
                ? importNative(m, variant.orElseThrow(), mapping, input, references, report, err)
                : importGraph(m, mapping, input, references, report, err);
        if (verification != null) {
            report.verification(verification);
            if (!verification.passed()) {
                err.println(CliErrors.PREFIX + "verification failed: " + verification.failures().stream()
                        .map(e -> e.output() + (e.problem() != null ? " (" + e.problem() + ")"
                                : String.format(Locale.ROOT, " differs by %.3e", e.maxAbsDiff()))).toList()
                        + String.format(Locale.ROOT, " > tolerance %.1e", tolerance) + (out != null ? "; nothing written" : ""));
                err.flush();
                return DetrDistillCli.EXIT_FAILURE;
            }
        }
        if (written != null) {
            report.field("wrote", written);
            report.field("next", "detr-distill distill --teacher " + out + " --preset NAME --data DIR --method none --term kd_logits --term teach_detr --out DIR");
        }
        return DetrDistillCli.EXIT_OK;
    }

    private void startClock() {
        wall0 = System.nanoTime();
        cpu0 = processCpu();
    }

    private String clock() {
        return String.format(Locale.ROOT, "%.1f s (%.1f s process CPU)", (System.nanoTime() - wall0) / 1e9, (processCpu() - cpu0) / 1e9);
    }

    private static long processCpu() {
        return ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os
                ? os.getProcessCpuTime() : 0;
    }

    /** Native route: config, build + weights, verification; writes the checkpoint when it passed. */
    private OnnxVerification.Result importNative(OnnxModel m, Variant variant, OnnxOutputMapping mapping, INDArray input,
                                                 Map<String, INDArray> references, OnnxReport report, PrintWriter err) throws IOException {
        report.field("route", List.of("native " + variant + ": the model carries its official parameter names",
                "the weights fill this framework's own " + variant + " (frozen as a teacher)"));
        NativeTeacherConfig c = NativeTeacherConfig.resolve(OnnxNativeImport.infer(m), base == null ? null : base.preset,
                base == null ? null : base.config, base == null ? null : base.variant, overrides);
        List<String> inferred = new ArrayList<>();
        c.inferred().forEach((k, v) -> inferred.add(k + " " + v));
        report.field("config", OnnxReport.wrap(inferred, "from the weights: "));
        List<String> given = c.fromUser().stream().map(f -> f + " " + field(c, f)).toList();
        report.field("", OnnxReport.wrap(given, "from the options: "));
        c.replaced().forEach((k, v) -> report.field("", "replaced by the weights: " + k + " " + v));
        err.println("building the native " + variant + " and loading " + m.initializers().size() + " initializers ...");
        err.flush();
        startClock();
        DetectorGraph g = OnnxNativeImport.build(c.config(), m, DataType.FLOAT);
        report.field("imported", "in " + clock() + "; " + g.sameDiff().ops().length + " SameDiff ops, "
                + g.numStages() + " decoder stages; every distillation term available");
        OnnxVerification.Result r = null;
        if (input != null) {
            requireCanvas(input, c.config().inputHeight(), c.config().inputWidth());
            Map<String, INDArray> got = OnnxNativeImport.graphOutputs(g, input, mapping);
            r = OnnxVerification.compare(got, references, tolerance, "no native counterpart (not in the output mapping)");
            if (!r.passed()) return r;
        }
        if (out != null) {
            OnnxNativeImport.writeCheckpoint(g, out);
            written = out + " (native " + variant + " checkpoint, " + Files.size(out) / 1024 + " KiB)";
        }
        return r;
    }

    /** Graph route: rewrite + import, verification; writes the bundle when it passed. */
    private OnnxVerification.Result importGraph(OnnxModel m, OnnxOutputMapping mapping, INDArray input,
                                                Map<String, INDArray> references, OnnxReport report, PrintWriter err) throws IOException {
        report.field("route", List.of("graph: " + (m.constantsFolded() ? "the export folded constants (parameter names lost)"
                : route == Route.GRAPH ? "--route graph" : "the parameter names are not those of conditional_detr or deformable_detr"),
                "the graph is rewritten and imported into SameDiff (frozen)"));
        if (m.inputs().size() != 1) throw new IllegalArgumentException(model + ": expected one input, the graph has " + m.inputs());
        OnnxModel.TensorInfo in = m.inputs().get(0);
        long[] shape = input != null ? input.shape() : in.shape();
        if (input == null && !in.isStatic()) {
            throw new IllegalArgumentException(model + ": input " + OnnxReport.tensor(in) + " has dynamic dimensions: give "
                    + "--verify-input (its shape is used), or export at a fixed size");
        }
        if (input != null && in.isStatic() && !Arrays.equals(in.shape(), shape)) {
            throw new IllegalArgumentException("--verify-input " + verifyInput + " has shape " + Arrays.toString(shape)
                    + ", the model's input " + OnnxReport.tensor(in));
        }
        if (out != null) {
            if (mapping.logits() == null || mapping.boxes() == null) {
                throw new IllegalArgumentException("cannot write a teacher: the output mapping gives no final "
                        + (mapping.logits() == null ? "logits" : "boxes") + " (fields 'logits' and 'boxes'; the graph's outputs are "
                        + m.outputNames() + "); give --mapping FILE");
            }
            new OnnxTeacherBundle(m, mapping, in.name(), shape, model.toString());   // checks [B,3,H,W] before the import
        }
        INDArray example = input != null ? input : OnnxTeacherGraph.exampleInput(shape);
        err.println("importing the graph (the first ONNX import in a process also loads DL4J's op descriptors: ~20 s of CPU) ...");
        err.flush();
        startClock();
        OnnxTeacherGraph g = OnnxTeacherGraph.load(m, mapping, example);
        List<String> rules = new ArrayList<>();
        new java.util.TreeMap<>(g.imported().rewrite().ruleCounts()).forEach((rule, n) -> { if (n > 0) rules.add(rule + " " + n); });
        List<String> lines = new ArrayList<>(List.of(String.format(Locale.ROOT, "in %s: rewrite %.1f s, DL4J import %.1f s; %,d SameDiff ops",
                clock(), g.imported().rewriteMillis() / 1e3, g.imported().importMillis() / 1e3, g.sameDiff().ops().length)));
        lines.addAll(OnnxReport.wrap(rules, "rewrite rules applied: "));
        report.field("imported", lines);
        if (mapping.logits() != null && mapping.boxes() != null) {
            report.field("teacher", OnnxReport.wrap(List.copyOf(g.provides()), g.numStages() + " stage(s), provides "));
            report.components(TeacherComponents.of(g.provides(), g.numStages()));
        }
        OnnxVerification.Result r = null;
        if (input != null) {
            Map<String, INDArray> got = g.graphOutputs(input, List.copyOf(references.keySet()));
            r = OnnxVerification.compare(got, references, tolerance, "not run");
            if (!r.passed()) return r;
        }
        if (out != null) {
            OnnxTeacherBundle.write(out, model, mapping, shape);
            written = out + " (ONNX teacher bundle: model + output mapping, " + Files.size(out) / 1024 + " KiB)";
        }
        return r;
    }

    private INDArray readInput(Path file) {
        try {
            return Nd4j.createFromNpyFile(file.toFile()).castTo(DataType.FLOAT);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("--verify-input " + file + " is not a readable .npy file (" + e.getMessage() + ")", e);
        }
    }

    private void requireCanvas(INDArray input, int h, int w) {
        long[] s = input.shape();
        if (s.length != 4 || s[1] != 3 || s[2] != h || s[3] != w) {
            throw new IllegalArgumentException("--verify-input " + verifyInput + " has shape " + Arrays.toString(s)
                    + "; the teacher takes [B,3," + h + "," + w + "]");
        }
    }

    /** The value of a top-level or dotted field of the resolved config, as JSON text. */
    private static String field(NativeTeacherConfig c, String path) {
        try {
            com.fasterxml.jackson.databind.JsonNode n = new com.fasterxml.jackson.databind.ObjectMapper().readTree(c.config().toJson());
            for (String p : path.split("\\.")) n = n.path(p);
            return n.isMissingNode() ? "?" : n.toString();
        } catch (IOException e) {
            return "?";
        }
    }
}

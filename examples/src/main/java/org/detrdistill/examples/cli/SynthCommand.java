package org.detrdistill.examples.cli;

import org.detrdistill.datasets.synth.BackgroundKind;
import org.detrdistill.datasets.synth.SyntheticCocoConfig;
import org.detrdistill.datasets.synth.SyntheticCocoDataset;
import org.detrdistill.datasets.synth.SyntheticCocoGenerator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code detr-distill synth}: writes the synthetic COCO dataset ({@link SyntheticCocoGenerator}) —
 * {@code <out>/train/*.jpg}, {@code <out>/val/*.jpg}, {@code <out>/annotations/instances_{train,val}.json} — and
 * prints its summary. Starts from the default {@link SyntheticCocoConfig} (300 + 60 images of 128x128, six shapes),
 * or from {@code --config FILE}; the other flags override single fields. Equal settings give byte-identical output,
 * whatever {@code --threads}. A non-empty {@code --out} that is not a previous synthetic output is refused untouched.
 * Does not load ND4J.
 */
@Command(name = "synth", mixinStandardHelpOptions = true, versionProvider = CliVersion.class,
        sortOptions = false,
        description = {"Generate the synthetic COCO dataset (coloured shapes on plain, textured or photo backgrounds).",
                "Starts from the default config or --config FILE; the flags below override its fields."},
        footer = {"", "Example:", "  detr-distill synth --out data/synth --train 300 --val 60 --size 128x128"})
public final class SynthCommand implements Callable<Integer> {
    @Spec
    private CommandSpec spec;

    @Option(names = {"-o", "--out"}, required = true, paramLabel = "DIR",
            description = "Output directory: new, empty, or a previous synthetic output (replaced).")
    private Path out;

    @Option(names = "--config", paramLabel = "FILE",
            description = "A SyntheticCocoConfig JSON file (missing fields take their defaults; unknown fields fail).")
    private Path configFile;

    @Option(names = "--train", paramLabel = "N", description = "Training images (default 300).")
    private Integer train;

    @Option(names = "--val", paramLabel = "N", description = "Validation images (default 60).")
    private Integer val;

    @Option(names = "--size", paramLabel = "WxH", converter = ImageSize.Converter.class,
            description = "Image size in pixels, e.g. 128x96 (default 128x128).")
    private ImageSize size;

    @Option(names = "--seed", paramLabel = "N", description = "Random seed (default 42).")
    private Long seed;

    @Option(names = "--classes", split = ",", paramLabel = "NAME",
            description = "Class names, comma-separated: '<shape>' or '<colour>_<shape>' (default: six coloured shapes).")
    private List<String> classes;

    @Option(names = "--photo-backgrounds",
            description = "Add bundled photographs to the background kinds (default kinds: plain, textured).")
    private boolean photoBackgrounds;

    @Option(names = "--threads", paramLabel = "N",
            description = "Worker threads; the output does not depend on it (default: cores, at most 4).")
    private Integer threads;

    /** Generates the dataset and prints its summary; exit code 0. */
    @Override
    public Integer call() throws IOException {
        SyntheticCocoConfig config = effectiveConfig();
        if (Files.exists(out) && !Files.isDirectory(out)) {
            throw new IllegalArgumentException("--out " + out + " is a file, not a directory");
        }
        int n = threads != null ? threads : SyntheticCocoGenerator.defaultThreads();
        if (n < 1) throw new IllegalArgumentException("--threads must be >= 1, got " + n);
        PrintWriter stdout = spec.commandLine().getOut();
        long t0 = System.nanoTime();
        SyntheticCocoDataset ds = SyntheticCocoGenerator.generate(config, out, n);
        double seconds = (System.nanoTime() - t0) / 1e9;
        stdout.println(ds);
        stdout.printf(Locale.ROOT, "generated %d images in %.1f s (%d thread%s)%n",
                ds.numTrainImages() + ds.numValImages(), seconds, n, n == 1 ? "" : "s");
        stdout.flush();
        return DetrDistillCli.EXIT_OK;
    }

    /**
     * The config this invocation generates: {@code --config} (or the defaults) with the flags applied.
     *
     * @throws IllegalArgumentException a field is invalid (named), or the config file is malformed (file named)
     * @throws IOException              the config file cannot be read
     */
    SyntheticCocoConfig effectiveConfig() throws IOException {
        SyntheticCocoConfig base = configFile != null
                ? SyntheticCocoConfig.read(CliFiles.requireFile(configFile, "--config"))
                : SyntheticCocoConfig.builder().build();
        SyntheticCocoConfig.Builder b = base.toBuilder();
        if (train != null) b.numTrainImages(train);
        if (val != null) b.numValImages(val);
        if (size != null) b.imageWidth(size.width()).imageHeight(size.height());
        if (seed != null) b.seed(seed);
        if (classes != null) b.classes(classes);
        if (photoBackgrounds && !base.backgrounds().contains(BackgroundKind.PHOTO)) {
            List<BackgroundKind> kinds = new ArrayList<>(base.backgrounds());
            kinds.add(BackgroundKind.PHOTO);
            b.backgrounds(kinds);
        }
        return b.build();
    }
}

package org.detrdistill.examples.cli;

import org.detrdistill.core.backbone.BackboneConfig;
import org.detrdistill.core.model.DetectorConfig;
import org.detrdistill.core.model.Variant;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code detr-distill config}: prints the effective {@link DetectorConfig} as JSON — the file a checkpoint carries and
 * training reads. Start from a variant's reference sizes ({@code --variant NAME}) or from a file ({@code --file FILE},
 * validated and re-printed with every field); {@code --set KEY=VALUE} overrides fields ({@link JsonOverrides});
 * {@code --out FILE} also writes the result (atomically). Everything is validated as when a model is built: an
 * unknown variant, field or backbone preset fails listing the valid ones, a bad value names the field. Does not load
 * ND4J.
 *
 * <p>{@code --set backbone=NAME} takes a backbone preset ({@link BackboneConfig#presetNames()}).
 */
@Command(name = "config", mixinStandardHelpOptions = true, versionProvider = CliVersion.class,
        sortOptions = false,
        description = {"Print the effective detector config as JSON (validated).",
                "Start from --variant NAME or --file FILE; --set KEY=VALUE overrides fields."},
        footer = {"", "Examples:",
                "  detr-distill config --variant conditional_detr --set hiddenDim=64 \\",
                "      --set backbone=tiny --out cfg.json",
                "  detr-distill config --file cfg.json --set deformable.numLevels=2"})
public final class ConfigCommand implements Callable<Integer> {

    /** Where the config starts from: exactly one. */
    static final class Base {
        @Option(names = "--variant", paramLabel = "NAME",
                description = "Reference config of a variant: deformable_detr, conditional_detr, adamixer.")
        String variant;

        @Option(names = "--preset", paramLabel = "NAME",
                description = "A named detector config, e.g. conditional_detr_tiny (the error lists them all).")
        String preset;

        @Option(names = "--file", paramLabel = "FILE", description = "A detector config JSON file.")
        Path file;
    }

    @Spec
    private CommandSpec spec;

    @ArgGroup(exclusive = true, multiplicity = "1")
    private Base base;

    @Option(names = "--set", paramLabel = "KEY=VALUE",
            description = "Override a field; dotted keys reach nested ones (backbone.stemWidth). Repeatable.")
    private List<String> overrides = new ArrayList<>();

    @Option(names = "--out", paramLabel = "FILE", description = "Also write the config to FILE.")
    private Path out;

    /** Prints (and optionally writes) the config; exit code 0. */
    @Override
    public Integer call() throws IOException {
        DetectorConfig config = effectiveConfig();
        PrintWriter stdout = spec.commandLine().getOut();
        stdout.println(config.toJson());
        stdout.flush();
        if (out != null) {
            config.write(out);
            spec.commandLine().getErr().println("wrote " + out);
            spec.commandLine().getErr().flush();
        }
        return DetrDistillCli.EXIT_OK;
    }

    /**
     * The config the options describe.
     *
     * @throws IllegalArgumentException unknown variant/field/preset (lists the valid ones), invalid value or malformed
     *                                  file (names the file)
     * @throws NoSuchFileException      {@code --file} does not exist
     */
    DetectorConfig effectiveConfig() throws IOException {
        DetectorConfig start;
        String source;
        if (base.file != null) {
            start = DetectorConfig.read(CliFiles.requireFile(base.file, "--file"));
            source = base.file.toString();
        } else if (base.preset != null) {
            start = DetectorConfigs.preset(base.preset);
            source = "--preset " + base.preset;
        } else {
            start = DetectorConfig.builder(Variant.of(base.variant)).build();
            source = "--variant " + start.variant();
        }
        return DetectorConfigs.withOverrides(start, source, overrides);
    }
}

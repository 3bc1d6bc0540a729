package org.detrdistill.examples.cli;

import org.detrdistill.core.backbone.BackboneConfig;
import org.detrdistill.core.model.DetectorConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * {@code detr-distill config}: prints the effective {@link DetectorConfig} as JSON — the file a checkpoint carries and
 * training reads. Start from a variant's reference sizes ({@code --variant NAME}), a preset ({@code --preset NAME}) or
 * a file ({@code --file FILE}, alias {@code --config}; validated and re-printed with every field); {@code --set
 * KEY=VALUE} overrides fields ({@link JsonOverrides}). The options are {@link DetectorOptions}, shared with
 * {@code train} and {@code distill};
 * {@code --out FILE} also writes the result (atomically). Everything is validated as when a model is built: an
 * unknown variant, field or backbone preset fails listing the valid ones, a bad value names the field. Does not load
 * ND4J.
 *
 * <p>{@code --set backbone=NAME} takes a backbone preset ({@link BackboneConfig#presetNames()}).
 */
@Command(name = "config", mixinStandardHelpOptions = true, versionProvider = CliVersion.class,
        sortOptions = false,
        description = {"Print the effective detector config as JSON (validated).",
                "Start from --variant NAME, --preset NAME or --file FILE; --set KEY=VALUE overrides fields."},
        footer = {"", "Examples:",
                "  detr-distill config --variant conditional_detr --set hiddenDim=64 \\",
                "      --set backbone=tiny --out cfg.json",
                "  detr-distill config --file cfg.json --set deformable.numLevels=2"})
public final class ConfigCommand implements Callable<Integer> {
    @Spec
    private CommandSpec spec;

    @Mixin
    private DetectorOptions detector;

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
     * @throws IllegalArgumentException unknown variant/field/preset (lists the valid ones), invalid value, malformed
     *                                  file (names the file), or no start option
     * @throws NoSuchFileException      {@code --file} does not exist
     */
    DetectorConfig effectiveConfig() throws IOException {
        return detector.resolve(null, "no detector config: give --variant NAME, --preset NAME or --file FILE");
    }
}

package org.detrdistill.examples.cli;

import org.detrdistill.core.model.DetectorConfig;
import org.detrdistill.core.model.Variant;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The detector options shared by {@code config}, {@code train} and {@code distill} (a picocli mixin): where the
 * {@link DetectorConfig} starts — {@code --variant NAME} (the variant's reference sizes), {@code --preset NAME}
 * ({@link DetectorConfigs#preset}) or {@code --config FILE} (alias {@code --file}), at most one — and
 * {@code --set KEY=VALUE} overrides ({@link JsonOverrides}; dotted keys reach nested fields, {@code backbone=NAME} takes
 * a backbone preset). The result is validated as when a model is built: unknown names fail listing the valid ones.
 */
final class DetectorOptions {

    /** Where the config starts: at most one of these. */
    static final class Start {
        @Option(names = "--variant", paramLabel = "NAME",
                description = "Reference config of a variant: deformable_detr, conditional_detr, adamixer.")
        String variant;

        @Option(names = "--preset", paramLabel = "NAME",
                description = "A named detector config, e.g. conditional_detr_tiny (the error lists them all).")
        String preset;

        @Option(names = {"--config", "--file"}, paramLabel = "FILE", description = "A detector config JSON file (see 'config').")
        Path file;
    }

    @ArgGroup(exclusive = true, multiplicity = "0..1", heading = "%nThe detector starts from (at most one):%n", order = 0)
    Start start;

    @Option(names = "--set", paramLabel = "KEY=VALUE",
            description = "Override a detector config field; dotted keys reach nested ones (backbone.stemWidth). Repeatable.")
    List<String> overrides = new ArrayList<>();

    /** Whether a start ({@code --variant}, {@code --preset} or {@code --config}) was given. */
    boolean hasStart() {
        return start != null;
    }

    /**
     * The config the options describe; without a start option, {@code fallback} (e.g. a run's {@code detector.json})
     * when it is not null.
     *
     * @param fallback       the file to start from when no start option is given, or null
     * @param missingMessage the error when neither is there
     * @throws IllegalArgumentException unknown variant/field/preset (lists the valid ones), invalid value, malformed file
     *                                  (names it), or no start at all ({@code missingMessage})
     * @throws NoSuchFileException      the {@code --config} file does not exist
     */
    DetectorConfig resolve(Path fallback, String missingMessage) throws IOException {
        DetectorConfig base;
        String source;
        if (start != null && start.file != null) {
            base = DetectorConfig.read(CliFiles.requireFile(start.file, "--config"));
            source = start.file.toString();
        } else if (start != null && start.preset != null) {
            base = DetectorConfigs.preset(start.preset);
            source = "--preset " + start.preset;
        } else if (start != null) {
            base = DetectorConfig.builder(Variant.of(start.variant)).build();
            source = "--variant " + base.variant();
        } else if (fallback != null) {
            base = DetectorConfig.read(fallback);
            source = fallback.toString();
        } else {
            throw new IllegalArgumentException(missingMessage);
        }
        return DetectorConfigs.withOverrides(base, source, overrides);
    }

    /**
     * The config with {@code numClasses} set to the dataset's category count, unless an override set it (then it must
     * agree).
     *
     * @throws IllegalArgumentException if {@code --set numClasses} disagrees with the dataset
     */
    DetectorConfig withClasses(DetectorConfig c, int classes) {
        if (c.numClasses() == classes) return c;
        if (DetectorConfigs.overrides(overrides, "numClasses")) {
            throw new IllegalArgumentException("--set numClasses=" + c.numClasses() + " but the training set has "
                    + classes + " categories");
        }
        return c.toBuilder().numClasses(classes).build();
    }
}

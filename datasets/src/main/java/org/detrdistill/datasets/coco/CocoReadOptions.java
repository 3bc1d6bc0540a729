package org.detrdistill.datasets.coco;

import java.nio.file.Path;

/**
 * Options of {@link CocoInstancesReader}. Build with {@link #builder()}; {@link #defaults()} keeps every image, is
 * lenient and does not look at image files.
 *
 * @param keepImagesWithoutAnnotations keep images that end up with no usable (kept, non-crowd) annotation. Default
 *                                     {@code true}, as DETR's {@code CocoDetection} does; {@code false} skips them as
 *                                     MMDetection's {@code filter_empty_gt} does (counted as
 *                                     {@link LoadIssue#NO_ANNOTATIONS})
 * @param strict                       turn every skipping issue (see {@link LoadIssue#errorInStrictMode()}) into a
 *                                     {@link CocoFormatException} naming the file and entry. Default {@code false}:
 *                                     skip and count in the {@link LoadReport}
 * @param imageRoot                    directory that {@code file_name} is relative to, or {@code null}. When set,
 *                                     images whose file does not exist are skipped with their annotations
 *                                     ({@link LoadIssue#MISSING_IMAGE_FILE}); if no file exists at all the load fails
 *                                     (a wrong directory is more likely than an empty download)
 */
public record CocoReadOptions(boolean keepImagesWithoutAnnotations, boolean strict, Path imageRoot) {

    /** Keep all images, lenient, no file checks. */
    public static CocoReadOptions defaults() { return builder().build(); }

    /** A builder starting from {@link #defaults()}. */
    public static Builder builder() { return new Builder(); }

    /** A builder starting from these options. */
    public Builder toBuilder() {
        return new Builder().keepImagesWithoutAnnotations(keepImagesWithoutAnnotations).strict(strict).imageRoot(imageRoot);
    }

    /** Builder of {@link CocoReadOptions}. */
    public static final class Builder {
        private boolean keepImagesWithoutAnnotations = true;
        private boolean strict;
        private Path imageRoot;

        private Builder() { }

        /** See {@link CocoReadOptions#keepImagesWithoutAnnotations()}. */
        public Builder keepImagesWithoutAnnotations(boolean keep) { this.keepImagesWithoutAnnotations = keep; return this; }

        /** See {@link CocoReadOptions#strict()}. */
        public Builder strict(boolean strict) { this.strict = strict; return this; }

        /** See {@link CocoReadOptions#imageRoot()}; {@code null} disables the file check. */
        public Builder imageRoot(Path imageRoot) { this.imageRoot = imageRoot; return this; }

        /** The options. */
        public CocoReadOptions build() { return new CocoReadOptions(keepImagesWithoutAnnotations, strict, imageRoot); }
    }
}

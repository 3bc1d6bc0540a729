package org.detrdistill.datasets.coco;

/**
 * Why {@link CocoInstancesReader} skipped (or altered) an entry of an instances file. Each issue is counted in the
 * {@link LoadReport}; in strict mode ({@link CocoReadOptions#strict()}) the first one aborts the load with a
 * {@link CocoFormatException} naming the file and the entry instead.
 */
public enum LoadIssue {
    /** An annotation whose {@code image_id} is not in {@code images}. The annotation is skipped. */
    UNKNOWN_IMAGE_ID(true, "annotation with an image_id that is not in images"),
    /** An annotation whose {@code category_id} is not in {@code categories}. The annotation is skipped. */
    UNKNOWN_CATEGORY_ID(true, "annotation with a category_id that is not in categories"),
    /** An annotation whose bbox width or height is zero, negative or not finite. The annotation is skipped. */
    NON_POSITIVE_SIZE(true, "bbox with zero, negative or non-finite width/height"),
    /** An annotation whose bbox does not overlap its image at all. The annotation is skipped. */
    OUTSIDE_IMAGE(true, "bbox entirely outside its image"),
    /**
     * An annotation whose bbox extends past the image border. The bbox is clipped to the image (as DETR does) and
     * kept; its area field is left as declared. Not an error in strict mode.
     */
    CLIPPED_TO_IMAGE(false, "bbox partly outside its image, clipped"),
    /**
     * An image whose file does not exist under the image directory (checked only when
     * {@link CocoReadOptions#imageRoot()} is set). The image and its annotations are skipped.
     */
    MISSING_IMAGE_FILE(true, "image file missing"),
    /**
     * An image without any usable (kept, non-crowd) annotation, skipped because
     * {@link CocoReadOptions#keepImagesWithoutAnnotations()} is false. Never an error in strict mode.
     */
    NO_ANNOTATIONS(true, "image without usable annotations, skipped by option");

    private final boolean skips;
    private final String description;

    LoadIssue(boolean skips, String description) {
        this.skips = skips;
        this.description = description;
    }

    /** Whether the affected entry is dropped ({@code false}: it is kept in altered form). */
    public boolean skips() { return skips; }

    /** A short human-readable description. */
    public String description() { return description; }

    /** Whether strict mode turns this issue into an error (all but clipping and the skip-empty option). */
    public boolean errorInStrictMode() { return this != CLIPPED_TO_IMAGE && this != NO_ANNOTATIONS; }
}

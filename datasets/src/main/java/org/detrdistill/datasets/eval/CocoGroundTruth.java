package org.detrdistill.datasets.eval;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * The ground truth of a COCO instances file, reduced to exactly what bbox evaluation uses, held in primitive
 * columns: image ids, category ids and, per annotation, {@code id, image_id, category_id, bbox [x,y,w,h] (pixels),
 * area, iscrowd}. Immutable and shareable: load it once and evaluate any number of detection sets against it.
 *
 * <p>Conventions, all as pycocotools' {@code COCO} + {@code COCOeval} use them:
 * <ul>
 *   <li>Image and category ids are sorted ascending and de-duplicated ({@code sorted(getImgIds())}).</li>
 *   <li>Annotations keep their file order; that order breaks IoU ties in matching (the later GT wins).</li>
 *   <li>An annotation whose {@code image_id} is not among the images, or whose {@code category_id} is not among the
 *       categories, is never evaluated by pycocotools; here it is <b>counted and skipped</b>
 *       ({@link #skippedUnknownImage()}, {@link #skippedUnknownCategory()}).</li>
 *   <li>Two annotations with the same {@code id} are an error (pycocotools would silently evaluate one of them twice).</li>
 *   <li>The {@code area} field decides the area range, not {@code w*h}; {@code iscrowd} (0/1 or boolean, default 0)
 *       is the ignore flag. The {@code ignore} field some files carry has no effect: pycocotools overwrites it with
 *       {@code iscrowd} before evaluating, so it is not read.</li>
 * </ul>
 *
 * <p>Read one with {@link #read(Path)} (streaming, bounded memory: everything but these columns is skipped token
 * by token) or build one with {@link #builder(String)}.
 */
public final class CocoGroundTruth {
    private final String source;
    private final long[] imageIds;
    private final int[] categoryIds;
    /** Per kept annotation, in file order. */
    final int[] annImage;
    final int[] annCategory;
    final long[] annId;
    /** {@code [n*4]} x, y, w, h interleaved. */
    final double[] annBox;
    final double[] annArea;
    final boolean[] annCrowd;
    /** Kept annotation indices ordered by (category index, image index, file order). */
    final int[] byCategory;
    /** {@code [K+1]}: annotations of category index k are {@code byCategory[catStart[k] .. catStart[k+1])}. */
    final int[] catStart;
    private final int skippedUnknownImage;
    private final int skippedUnknownCategory;

    private CocoGroundTruth(Builder b, long[] imageIds, int[] categoryIds, int[] keep, int[] imgIdx, int[] catIdx,
                            int skippedImage, int skippedCategory) {
        this.source = b.source;
        this.imageIds = imageIds;
        this.categoryIds = categoryIds;
        int n = keep.length;
        annImage = new int[n];
        annCategory = new int[n];
        annId = new long[n];
        annBox = new double[4 * n];
        annArea = new double[n];
        annCrowd = new boolean[n];
        for (int j = 0; j < n; j++) {
            int i = keep[j];
            annImage[j] = imgIdx[i];
            annCategory[j] = catIdx[i];
            annId[j] = b.ids[i];
            System.arraycopy(b.boxes, 4 * i, annBox, 4 * j, 4);
            annArea[j] = b.areas[i];
            annCrowd[j] = b.crowd[i];
        }
        this.skippedUnknownImage = skippedImage;
        this.skippedUnknownCategory = skippedCategory;
        int[] byImage = Grouping.stableCountingOrder(annImage, null, imageIds.length);
        this.byCategory = Grouping.stableCountingOrder(annCategory, byImage, categoryIds.length);
        this.catStart = Grouping.starts(annCategory, categoryIds.length);
    }

    /**
     * Reads a COCO instances JSON file ({@code images}, {@code categories}, {@code annotations}; any other field
     * and any other member of an entry, such as {@code segmentation}, is skipped without being kept).
     *
     * @throws CocoFormatException malformed JSON or a missing/ill-typed field, naming the file, entry and location
     */
    public static CocoGroundTruth read(Path file) throws IOException {
        try (JsonInput in = JsonInput.open(file)) {
            return GroundTruthReader.read(in);
        }
    }

    /** Parses a COCO instances JSON text; errors name {@code source}. */
    public static CocoGroundTruth parse(String json, String source) throws IOException {
        try (JsonInput in = JsonInput.of(json, source)) {
            return GroundTruthReader.read(in);
        }
    }

    /** A builder; {@code source} labels error messages (a file name, or e.g. {@code "val-subset"}). */
    public static Builder builder(String source) { return new Builder(source); }

    /** The file name or label this ground truth came from. */
    public String source() { return source; }

    /** The image ids, sorted ascending, unique (a copy). */
    public long[] imageIds() { return imageIds.clone(); }

    /** The category ids, sorted ascending, unique (a copy); the K axis of the precision/recall arrays. */
    public int[] categoryIds() { return categoryIds.clone(); }

    public int imageCount() { return imageIds.length; }

    public int categoryCount() { return categoryIds.length; }

    /** Number of evaluated annotations (crowd included, skipped ones excluded). */
    public int annotationCount() { return annId.length; }

    /** Annotations skipped because their {@code image_id} is not in {@code images}. */
    public int skippedUnknownImage() { return skippedUnknownImage; }

    /** Annotations skipped because their {@code category_id} is not in {@code categories}. */
    public int skippedUnknownCategory() { return skippedUnknownCategory; }

    /** Index of {@code imageId} in {@link #imageIds()}, or -1. */
    public int imageIndex(long imageId) {
        int i = Arrays.binarySearch(imageIds, imageId);
        return i < 0 ? -1 : i;
    }

    /** Index of {@code categoryId} in {@link #categoryIds()}, or -1. */
    public int categoryIndex(int categoryId) {
        int i = Arrays.binarySearch(categoryIds, categoryId);
        return i < 0 ? -1 : i;
    }

    long imageIdAt(int index) { return imageIds[index]; }

    int categoryIdAt(int index) { return categoryIds[index]; }

    /**
     * Collects images, categories and annotations in any order; {@link #build()} sorts the ids, maps annotations to
     * them and checks annotation ids are unique. Entries are numbered in the order added, for error messages.
     */
    public static final class Builder {
        private final String source;
        private long[] images = new long[64];
        private int imageCount;
        private int[] categories = new int[16];
        private int categoryCount;
        private long[] ids = new long[256];
        private long[] annImages = new long[256];
        private int[] annCategories = new int[256];
        private double[] boxes = new double[1024];
        private double[] areas = new double[256];
        private boolean[] crowd = new boolean[256];
        private int annCount;

        private Builder(String source) { this.source = source; }

        /** Adds an image id (duplicates are merged, as in pycocotools). */
        public Builder addImage(long imageId) {
            if (imageCount == images.length) images = Arrays.copyOf(images, 2 * imageCount);
            images[imageCount++] = imageId;
            return this;
        }

        /** Adds a category id (duplicates are merged). */
        public Builder addCategory(int categoryId) {
            if (categoryCount == categories.length) categories = Arrays.copyOf(categories, 2 * categoryCount);
            categories[categoryCount++] = categoryId;
            return this;
        }

        /**
         * Adds an annotation.
         *
         * @param bbox {@code [x, y, w, h]} in pixels (finite)
         * @param area the annotation's {@code area} field (decides its area range; finite)
         */
        public Builder addAnnotation(long id, long imageId, int categoryId, double x, double y, double w, double h,
                                     double area, boolean iscrowd) {
            if (!(Double.isFinite(x) && Double.isFinite(y) && Double.isFinite(w) && Double.isFinite(h)
                    && Double.isFinite(area))) {
                throw new IllegalArgumentException(source + ": annotations[" + annCount + "] (id " + id
                        + "): bbox and area must be finite, got [" + x + ", " + y + ", " + w + ", " + h + "], " + area);
            }
            if (annCount == ids.length) grow();
            ids[annCount] = id;
            annImages[annCount] = imageId;
            annCategories[annCount] = categoryId;
            boxes[4 * annCount] = x;
            boxes[4 * annCount + 1] = y;
            boxes[4 * annCount + 2] = w;
            boxes[4 * annCount + 3] = h;
            areas[annCount] = area;
            crowd[annCount] = iscrowd;
            annCount++;
            return this;
        }

        private void grow() {
            int n = 2 * ids.length;
            ids = Arrays.copyOf(ids, n);
            annImages = Arrays.copyOf(annImages, n);
            annCategories = Arrays.copyOf(annCategories, n);
            boxes = Arrays.copyOf(boxes, 4 * n);
            areas = Arrays.copyOf(areas, n);
            crowd = Arrays.copyOf(crowd, n);
        }

        /** Number of annotations added so far. */
        int annotationCount() { return annCount; }

        /**
         * Builds the immutable ground truth.
         *
         * @throws IllegalArgumentException two annotations share an id (the message names both entries)
         */
        public CocoGroundTruth build() {
            String dup = duplicateAnnotationIds();
            if (dup != null) throw new IllegalArgumentException(source + ": " + dup);
            return buildUnchecked();
        }

        /** A description of the first duplicated annotation id, or null. */
        String duplicateAnnotationIds() {
            long[] sorted = Arrays.copyOf(ids, annCount);
            Arrays.sort(sorted);
            for (int i = 1; i < sorted.length; i++) {
                if (sorted[i] == sorted[i - 1]) {
                    long id = sorted[i];
                    int first = -1, second = -1;
                    for (int j = 0; j < annCount && second < 0; j++) {
                        if (ids[j] == id) {
                            if (first < 0) first = j; else second = j;
                        }
                    }
                    return "annotations[" + first + "] and annotations[" + second + "] have the same id " + id
                            + " (annotation ids must be unique)";
                }
            }
            return null;
        }

        CocoGroundTruth buildUnchecked() {
            long[] imageIds = Grouping.sortedUnique(Arrays.copyOf(images, imageCount));
            int[] categoryIds = Grouping.sortedUnique(Arrays.copyOf(categories, categoryCount));
            int[] imgIdx = new int[annCount];
            int[] catIdx = new int[annCount];
            int[] keep = new int[annCount];
            int kept = 0, skippedImage = 0, skippedCategory = 0;
            for (int i = 0; i < annCount; i++) {
                int im = Arrays.binarySearch(imageIds, annImages[i]);
                int c = Arrays.binarySearch(categoryIds, annCategories[i]);
                if (im < 0) {
                    skippedImage++;
                } else if (c < 0) {
                    skippedCategory++;
                } else {
                    imgIdx[i] = im;
                    catIdx[i] = c;
                    keep[kept++] = i;
                }
            }
            return new CocoGroundTruth(this, imageIds, categoryIds, Arrays.copyOf(keep, kept), imgIdx, catIdx,
                    skippedImage, skippedCategory);
        }
    }
}

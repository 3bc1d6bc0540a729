package org.detrdistill.datasets.coco;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * A loaded COCO instances file: images, categories with their {@link CategoryMap}, the kept annotations grouped by
 * image, and the {@link LoadReport}. Immutable and thread-safe; created by {@link CocoInstancesReader}.
 *
 * <p>Images are indexed {@code 0..size()-1} in file order (after skipping); that index is what iterators and
 * {@link CocoAnnotations#forImage(int)} use. {@link #indexOf(long)} maps a COCO image id back to it.
 */
public final class CocoDataset {
    private final Path file;
    private final Path imageRoot;
    private final List<CocoImageInfo> images;
    private final CategoryMap categories;
    private final CocoAnnotations annotations;
    private final LoadReport report;
    private final long[] sortedImageIds;
    private final int[] indexOfSorted;

    CocoDataset(Path file, Path imageRoot, List<CocoImageInfo> images, CategoryMap categories,
                CocoAnnotations annotations, LoadReport report) {
        this.file = Objects.requireNonNull(file, "file");
        this.imageRoot = imageRoot;
        this.images = List.copyOf(images);
        this.categories = Objects.requireNonNull(categories, "categories");
        this.annotations = Objects.requireNonNull(annotations, "annotations");
        this.report = Objects.requireNonNull(report, "report");
        if (annotations.imageCount() != images.size()) {
            throw new IllegalArgumentException("annotations grouped by " + annotations.imageCount() + " images, but "
                    + images.size() + " images");
        }
        int n = images.size();
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Long.compare(images.get(a).id(), images.get(b).id()));
        sortedImageIds = new long[n];
        indexOfSorted = new int[n];
        for (int i = 0; i < n; i++) {
            sortedImageIds[i] = images.get(order[i]).id();
            indexOfSorted[i] = order[i];
        }
    }

    /** The instances file this dataset was read from. */
    public Path file() { return file; }

    /** The image directory given in {@link CocoReadOptions#imageRoot()}, if any. */
    public Optional<Path> imageRoot() { return Optional.ofNullable(imageRoot); }

    /** Number of images. */
    public int size() { return images.size(); }

    /** All images in index order. */
    public List<CocoImageInfo> images() { return images; }

    /** The image at {@code index}. */
    public CocoImageInfo image(int index) { return images.get(index); }

    /** Category ids, names and their contiguous labels. */
    public CategoryMap categories() { return categories; }

    /** All kept annotations, grouped by image index. */
    public CocoAnnotations annotations() { return annotations; }

    /** The kept annotations of the image at {@code index} (crowd included). */
    public ImageAnnotations annotations(int index) { return annotations.forImage(index); }

    /** What was read, kept and skipped. */
    public LoadReport report() { return report; }

    /**
     * The index of a COCO image id.
     *
     * @param imageId COCO image id
     * @return its index, or empty if the image is not in this dataset (never present, or skipped)
     */
    public OptionalInt indexOf(long imageId) {
        int i = Arrays.binarySearch(sortedImageIds, imageId);
        return i >= 0 ? OptionalInt.of(indexOfSorted[i]) : OptionalInt.empty();
    }

    @Override
    public String toString() {
        return "CocoDataset[" + file + ", " + images.size() + " images, " + annotations.size() + " annotations, "
                + categories.size() + " categories]";
    }
}

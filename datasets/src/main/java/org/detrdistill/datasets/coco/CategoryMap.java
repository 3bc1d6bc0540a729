package org.detrdistill.datasets.coco;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.OptionalInt;

/**
 * The bijection between COCO category ids, which may have gaps (COCO 2017: 80 categories with ids 1..90), and the
 * contiguous class labels {@code 0..size()-1} that the detectors predict.
 *
 * <p>Labels follow ascending category id: the smallest id gets label 0. This is the order detectron2 and MMDetection
 * use for COCO, so label {@code k} of a model trained here means the same class as there. Immutable and thread-safe.
 */
public final class CategoryMap {
    private final long[] sortedIds;   // label -> category id (ascending)
    private final String[] names;     // label -> name

    private CategoryMap(long[] sortedIds, String[] names) {
        this.sortedIds = sortedIds;
        this.names = names;
    }

    /**
     * Builds the map from categories in any order.
     *
     * @param categories the categories; ids must be unique
     * @return the map
     * @throws IllegalArgumentException on a duplicate id
     */
    public static CategoryMap of(List<CocoCategory> categories) {
        List<CocoCategory> sorted = new ArrayList<>(categories);
        sorted.sort(Comparator.comparingLong(CocoCategory::id));
        long[] ids = new long[sorted.size()];
        String[] names = new String[sorted.size()];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = sorted.get(i).id();
            names[i] = sorted.get(i).name();
            if (i > 0 && ids[i] == ids[i - 1]) {
                throw new IllegalArgumentException("duplicate category id " + ids[i] + " ('" + names[i - 1] + "' and '"
                        + names[i] + "')");
            }
        }
        return new CategoryMap(ids, names);
    }

    /** Number of categories, i.e. the number of classes {@code C} a detector predicts. */
    public int size() { return sortedIds.length; }

    /** Whether {@code categoryId} is one of the categories. */
    public boolean contains(long categoryId) { return Arrays.binarySearch(sortedIds, categoryId) >= 0; }

    /**
     * The contiguous label of a category id.
     *
     * @param categoryId COCO category id
     * @return the label in {@code [0, size())}, or empty if the id is unknown
     */
    public OptionalInt find(long categoryId) {
        int i = Arrays.binarySearch(sortedIds, categoryId);
        return i >= 0 ? OptionalInt.of(i) : OptionalInt.empty();
    }

    /**
     * The contiguous label of a category id.
     *
     * @param categoryId COCO category id
     * @return the label in {@code [0, size())}
     * @throws IllegalArgumentException if the id is unknown; the message lists the valid ids
     */
    public int labelOf(long categoryId) {
        int i = Arrays.binarySearch(sortedIds, categoryId);
        if (i < 0) {
            throw new IllegalArgumentException("unknown category id " + categoryId + "; valid ids: " + Arrays.toString(sortedIds));
        }
        return i;
    }

    /**
     * The COCO category id of a contiguous label (for writing results files).
     *
     * @param label class label in {@code [0, size())}
     * @return the COCO category id
     * @throws IndexOutOfBoundsException if the label is out of range
     */
    public long categoryIdOf(int label) {
        checkLabel(label);
        return sortedIds[label];
    }

    /**
     * The category name of a contiguous label.
     *
     * @param label class label in {@code [0, size())}
     * @return the name from the JSON
     */
    public String nameOf(int label) {
        checkLabel(label);
        return names[label];
    }

    /** All categories in label order (element {@code k} is the category of label {@code k}). */
    public List<CocoCategory> categories() {
        List<CocoCategory> out = new ArrayList<>(sortedIds.length);
        for (int i = 0; i < sortedIds.length; i++) {
            out.add(new CocoCategory(sortedIds[i], names[i]));
        }
        return List.copyOf(out);
    }

    private void checkLabel(int label) {
        if (label < 0 || label >= sortedIds.length) {
            throw new IndexOutOfBoundsException("label " + label + " outside [0, " + sortedIds.length + ")");
        }
    }

    @Override
    public String toString() {
        return "CategoryMap[" + sortedIds.length + " categories, ids " + (sortedIds.length == 0 ? "-"
                : sortedIds[0] + ".." + sortedIds[sortedIds.length - 1]) + "]";
    }
}

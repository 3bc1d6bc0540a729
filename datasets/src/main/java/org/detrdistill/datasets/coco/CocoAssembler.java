package org.detrdistill.datasets.coco;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

/**
 * Second half of {@link CocoInstancesReader}: validates the parsed entries against each other (ids, categories, boxes
 * against image sizes, image files), applies the skip policy and groups the kept annotations by image.
 */
final class CocoAssembler {
    private final Path file;
    private final CocoReadOptions options;
    private final List<CocoImageInfo> images;
    private final int[] imageLines;
    private final List<CocoCategory> categories;
    private final RawAnnotations raw;
    private final Map<LoadIssue, Integer> counts = new EnumMap<>(LoadIssue.class);
    private final Map<LoadIssue, List<String>> examples = new EnumMap<>(LoadIssue.class);

    CocoAssembler(Path file, CocoReadOptions options, List<CocoImageInfo> images, int[] imageLines,
                  List<CocoCategory> categories, RawAnnotations raw) {
        this.file = file;
        this.options = options;
        this.images = images;
        this.imageLines = imageLines;
        this.categories = categories;
        this.raw = raw;
    }

    CocoDataset assemble() throws CocoFormatException {
        CategoryMap categoryMap = categoryMap();
        long[] sortedIds = new long[images.size()];
        int[] imageOfSorted = imageIndex(sortedIds);

        // 1. annotations: resolve ids, check and clip boxes. label[a] = -1 marks a skipped annotation.
        int n = raw.size;
        int[] imageOf = new int[n];
        int[] label = new int[n];
        for (int a = 0; a < n; a++) {
            label[a] = -1;
            int s = Arrays.binarySearch(sortedIds, raw.imageIds[a]);
            if (s < 0) {
                issue(LoadIssue.UNKNOWN_IMAGE_ID, raw.describe(a), raw.lines[a],
                        "image_id " + raw.imageIds[a] + " is not in images");
                continue;
            }
            int img = imageOfSorted[s];
            OptionalInt lab = categoryMap.find(raw.categoryIds[a]);
            if (lab.isEmpty()) {
                issue(LoadIssue.UNKNOWN_CATEGORY_ID, raw.describe(a), raw.lines[a],
                        "category_id " + raw.categoryIds[a] + " is not in categories");
                continue;
            }
            if (clip(a, images.get(img))) {
                imageOf[a] = img;
                label[a] = lab.getAsInt();
            }
        }

        // 2. images: file check, then the empty-image policy.
        int numImages = images.size();
        boolean[] keep = new boolean[numImages];
        Arrays.fill(keep, true);
        if (options.imageRoot() != null) {
            checkFiles(keep);
        }
        int[] usable = new int[numImages];
        for (int a = 0; a < n; a++) {
            if (label[a] >= 0 && !raw.crowd[a]) {
                usable[imageOf[a]]++;
            }
        }
        if (!options.keepImagesWithoutAnnotations()) {
            for (int i = 0; i < numImages; i++) {
                if (keep[i] && usable[i] == 0) {
                    keep[i] = false;
                    issue(LoadIssue.NO_ANNOTATIONS, describeImage(i), imageLines[i], "no usable annotation");
                }
            }
        }

        // 3. re-index kept images and group kept annotations by image (counting sort, stable: file order).
        int[] newIndex = new int[numImages];
        List<CocoImageInfo> kept = new ArrayList<>();
        for (int i = 0; i < numImages; i++) {
            newIndex[i] = keep[i] ? kept.size() : -1;
            if (keep[i]) {
                kept.add(images.get(i));
            }
        }
        int[] offsets = new int[kept.size() + 1];
        int total = 0, crowdCount = 0;
        for (int a = 0; a < n; a++) {
            if (label[a] >= 0 && newIndex[imageOf[a]] >= 0) {
                offsets[newIndex[imageOf[a]] + 1]++;
                total++;
                crowdCount += raw.crowd[a] ? 1 : 0;
            }
        }
        for (int i = 0; i < kept.size(); i++) {
            offsets[i + 1] += offsets[i];
        }
        int[] cursor = Arrays.copyOf(offsets, kept.size());
        long[] ids = new long[total];
        int[] labels = new int[total];
        float[] boxes = new float[4 * total];
        float[] areas = new float[total];
        boolean[] crowd = new boolean[total];
        for (int a = 0; a < n; a++) {
            if (label[a] < 0 || newIndex[imageOf[a]] < 0) {
                continue;
            }
            int r = cursor[newIndex[imageOf[a]]]++;
            ids[r] = raw.ids[a];
            labels[r] = label[a];
            System.arraycopy(raw.boxes, 4 * a, boxes, 4 * r, 4);
            float area = raw.areas[a];
            areas[r] = Float.isNaN(area) ? raw.boxes[4 * a + 2] * raw.boxes[4 * a + 3] : area;
            crowd[r] = raw.crowd[a];
        }
        LoadReport report = new LoadReport(file, numImages, kept.size(), n, total, crowdCount, counts, examples);
        return new CocoDataset(file, options.imageRoot(), kept, categoryMap,
                new CocoAnnotations(offsets, ids, labels, boxes, areas, crowd), report);
    }

    /** Checks annotation {@code a}'s box against its image; clips it in place. Returns whether it is kept. */
    private boolean clip(int a, CocoImageInfo image) throws CocoFormatException {
        float[] b = raw.boxes;
        float x = b[4 * a], y = b[4 * a + 1], w = b[4 * a + 2], h = b[4 * a + 3];
        if (!(w > 0 && h > 0) || !Float.isFinite(x) || !Float.isFinite(y) || !Float.isFinite(w) || !Float.isFinite(h)) {
            issue(LoadIssue.NON_POSITIVE_SIZE, raw.describe(a), raw.lines[a],
                    "bbox [" + x + ", " + y + ", " + w + ", " + h + "] has no positive finite size");
            return false;
        }
        float x0 = Math.max(x, 0f), y0 = Math.max(y, 0f);
        float x1 = Math.min(x + w, image.width()), y1 = Math.min(y + h, image.height());
        if (!(x1 > x0 && y1 > y0)) {
            issue(LoadIssue.OUTSIDE_IMAGE, raw.describe(a), raw.lines[a], "bbox [" + x + ", " + y + ", " + w + ", " + h
                    + "] does not overlap image " + image.id() + " (" + image.width() + "x" + image.height() + ")");
            return false;
        }
        if (x0 != x || y0 != y || x1 != x + w || y1 != y + h) {
            issue(LoadIssue.CLIPPED_TO_IMAGE, raw.describe(a), raw.lines[a], "bbox [" + x + ", " + y + ", " + w + ", "
                    + h + "] clipped to image " + image.id() + " (" + image.width() + "x" + image.height() + ")");
            b[4 * a] = x0;
            b[4 * a + 1] = y0;
            b[4 * a + 2] = x1 - x0;
            b[4 * a + 3] = y1 - y0;
        }
        return true;
    }

    private void checkFiles(boolean[] keep) throws CocoFormatException {
        Path root = options.imageRoot();
        int present = 0;
        String firstMissing = null;
        for (int i = 0; i < images.size(); i++) {
            Path p = root.resolve(images.get(i).fileName());
            if (Files.isRegularFile(p)) {
                present++;
            } else {
                firstMissing = firstMissing == null ? p.toString() : firstMissing;
                keep[i] = false;
                issue(LoadIssue.MISSING_IMAGE_FILE, describeImage(i), imageLines[i], "image file " + p + " does not exist");
            }
        }
        if (present == 0 && !images.isEmpty()) {
            throw new CocoFormatException(file, null, -1, -1, "none of the " + images.size()
                    + " image files exists under the image root " + root + " (first: " + firstMissing
                    + "); is the image directory right?", null);
        }
    }

    private CategoryMap categoryMap() throws CocoFormatException {
        Integer[] order = new Integer[categories.size()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Long.compare(categories.get(a).id(), categories.get(b).id()));
        for (int k = 1; k < order.length; k++) {
            if (categories.get(order[k]).id() == categories.get(order[k - 1]).id()) {
                int first = Math.min(order[k], order[k - 1]), second = Math.max(order[k], order[k - 1]);
                throw new CocoFormatException(file, "categories[" + second + "] (id " + categories.get(second).id() + ")",
                        -1, -1, "duplicate category id, also used by categories[" + first + "]", null);
            }
        }
        return CategoryMap.of(categories);
    }

    /** Fills {@code sortedIds} with the image ids in ascending order; returns the image index of each. */
    private int[] imageIndex(long[] sortedIds) throws CocoFormatException {
        int n = images.size();
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Long.compare(images.get(a).id(), images.get(b).id()));
        int[] index = new int[n];
        for (int k = 0; k < n; k++) {
            index[k] = order[k];
            sortedIds[k] = images.get(order[k]).id();
            if (k > 0 && sortedIds[k] == sortedIds[k - 1]) {
                int first = Math.min(index[k], index[k - 1]), second = Math.max(index[k], index[k - 1]);
                throw new CocoFormatException(file, describeImage(second), imageLines[second], -1,
                        "duplicate image id, also used by images[" + first + "]", null);
            }
        }
        return index;
    }

    private String describeImage(int i) {
        CocoImageInfo im = images.get(i);
        return "images[" + i + "] (id " + im.id() + ", " + im.fileName() + ")";
    }

    private void issue(LoadIssue issue, String entry, int line, String detail) throws CocoFormatException {
        if (options.strict() && issue.errorInStrictMode()) {
            throw new CocoFormatException(file, entry, line, -1, detail + " (strict mode)", null);
        }
        counts.merge(issue, 1, Integer::sum);
        List<String> ex = examples.computeIfAbsent(issue, k -> new ArrayList<>());
        if (ex.size() < LoadReport.MAX_EXAMPLES) {
            ex.add(entry + ": " + detail);
        }
    }
}

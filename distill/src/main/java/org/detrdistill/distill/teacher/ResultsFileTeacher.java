package org.detrdistill.distill.teacher;

import org.detrdistill.datasets.batch.DetectionBatch;
import org.detrdistill.datasets.batch.ImageTarget;
import org.detrdistill.datasets.coco.CategoryMap;
import org.detrdistill.datasets.coco.CocoDataset;
import org.detrdistill.datasets.coco.CocoImageInfo;
import org.detrdistill.datasets.eval.CocoResults;
import org.detrdistill.datasets.eval.DetectionResult;
import org.detrdistill.distill.Teacher;
import org.detrdistill.distill.TeacherOutputs;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.Set;

/**
 * An offline teacher (Teach-DETR): the detections of any detector, read from a COCO results file
 * ({@code [{"image_id", "category_id", "bbox": [x, y, w, h] pixels of the original image, "score"}, ...]}, as written
 * by {@code CocoResults.write} or pycocotools tools). It provides box-level outputs only
 * ({@link TeacherOutputs#boxes()}, {@code scores}, {@code labels}); {@link #provides()} is empty and
 * {@link #numStages()} 0, so a term that needs logits or features fails at construction.
 *
 * <p>Loading, per entry: the box is clipped to its image ({@code [0,W] × [0,H]}, as the official loader) and converted
 * to cxcywh normalised by the image's original size {@code (W, H)} from the dataset; then, per image, the
 * {@link BoxSelection} keeps the boxes with score {@code >= threshold}, at most {@code maxPerImage} by score.
 * <ul>
 *   <li>an {@code image_id} that is not an image of the dataset is <b>counted and skipped</b> (a results file may
 *       cover more images than the training set uses), see {@link LoadSummary#unknownImages()};</li>
 *   <li>a box with no area after clipping is counted and skipped ({@link LoadSummary#degenerate()});</li>
 *   <li>a {@code category_id} that is not a category of the dataset is an <b>error</b> naming the file and the entry
 *       (it means the file belongs to another label space);</li>
 *   <li>a malformed file or entry is an error naming the file, entry and field ({@link CocoResults#read}).</li>
 * </ul>
 * At run time an image of the dataset without any kept box gets an empty {@code [0,4]} set; a batch image that is not
 * in the dataset is an error naming the file.
 *
 * <p>Limitation: the boxes live in the original image's normalised frame, so they correspond to a batch only when the
 * training transforms keep that frame (resizing, padding). With random flips or crops the boxes would have to go
 * through the same transforms as the ground truth, which this teacher cannot do; use resize-only transforms (e.g.
 * {@code DetrTransforms.eval}) with an offline teacher, or a {@link NativeTeacher}, which sees the transformed images.
 */
public final class ResultsFileTeacher implements Teacher {
    private final Path file;
    private final BoxSelection selection;
    private final Map<Long, ImageBoxes> byImage;
    private final LoadSummary summary;

    /** The kept boxes of one image. */
    private record ImageBoxes(int width, int height, double[] cxcywh, double[] scores, int[] labels) {}

    /**
     * What loading did with the file's entries.
     *
     * @param entries        entries in the file
     * @param kept           entries kept (over all images)
     * @param unknownImages  entries whose image id is not in the dataset (skipped)
     * @param degenerate     entries whose clipped box has no area (skipped)
     * @param belowThreshold entries under the score threshold
     * @param overCap        entries above the threshold dropped by the per-image cap
     */
    public record LoadSummary(int entries, int kept, int unknownImages, int degenerate, int belowThreshold, int overCap) {}

    private ResultsFileTeacher(Path file, BoxSelection selection, Map<Long, ImageBoxes> byImage, LoadSummary summary) {
        this.file = file;
        this.selection = selection;
        this.byImage = byImage;
        this.summary = summary;
    }

    /** Reads {@code file} for the images and categories of {@code dataset}. */
    public static ResultsFileTeacher read(Path file, CocoDataset dataset, BoxSelection selection) throws IOException {
        return read(file, dataset.categories(), dataset.images(), selection);
    }

    /**
     * Reads {@code file}.
     *
     * @param categories the dataset's category map (category id → contiguous label)
     * @param images     the dataset's images (id and original size)
     * @throws IOException              the file cannot be read or is malformed (message names file, entry, field)
     * @throws IllegalArgumentException an entry has a category that is not in {@code categories} (names file and entry)
     */
    public static ResultsFileTeacher read(Path file, CategoryMap categories, Collection<CocoImageInfo> images,
                                          BoxSelection selection) throws IOException {
        Objects.requireNonNull(selection, "selection");
        Map<Long, CocoImageInfo> info = new HashMap<>();
        for (CocoImageInfo i : images) info.put(i.id(), i);
        List<DetectionResult> results = CocoResults.read(file);
        Map<Long, List<double[]>> raw = new HashMap<>();   // per image: {cx, cy, w, h, score, label}
        int unknownImages = 0, degenerate = 0;
        for (int e = 0; e < results.size(); e++) {
            DetectionResult r = results.get(e);
            OptionalInt label = categories.find(r.categoryId());
            if (label.isEmpty()) {
                throw new IllegalArgumentException(file + ": entry [" + e + "] has category_id " + r.categoryId()
                        + ", which is not a category of the dataset (" + categories + "): the results file belongs "
                        + "to another label space");
            }
            CocoImageInfo img = info.get(r.imageId());
            if (img == null) {
                unknownImages++;
                continue;
            }
            double x0 = clamp(r.x(), img.width()), y0 = clamp(r.y(), img.height());
            double x1 = clamp(r.x() + r.width(), img.width()), y1 = clamp(r.y() + r.height(), img.height());
            if (!(x1 > x0 && y1 > y0)) {
                degenerate++;
                continue;
            }
            raw.computeIfAbsent(r.imageId(), k -> new ArrayList<>()).add(new double[]{
                    (x0 + x1) / 2 / img.width(), (y0 + y1) / 2 / img.height(),
                    (x1 - x0) / img.width(), (y1 - y0) / img.height(), r.score(), label.getAsInt()});
        }
        Map<Long, ImageBoxes> byImage = new HashMap<>();
        int kept = 0, below = 0, over = 0;
        for (CocoImageInfo img : images) {
            List<double[]> rows = raw.getOrDefault(img.id(), List.of());
            double[] scores = rows.stream().mapToDouble(r -> r[4]).toArray();
            int[] keep = selection.select(scores);
            int above = selection.countAbove(scores);
            below += scores.length - above;
            over += above - keep.length;
            kept += keep.length;
            double[] boxes = new double[4 * keep.length], s = new double[keep.length];
            int[] l = new int[keep.length];
            for (int i = 0; i < keep.length; i++) {
                double[] r = rows.get(keep[i]);
                System.arraycopy(r, 0, boxes, 4 * i, 4);
                s[i] = r[4];
                l[i] = (int) r[5];
            }
            byImage.put(img.id(), new ImageBoxes(img.width(), img.height(), boxes, s, l));
        }
        return new ResultsFileTeacher(file, selection, byImage,
                new LoadSummary(results.size(), kept, unknownImages, degenerate, below, over));
    }

    private static double clamp(double v, int max) {
        return Math.min(Math.max(v, 0), max);
    }

    /** What loading kept and skipped. */
    public LoadSummary summary() { return summary; }

    public Path file() { return file; }

    public BoxSelection selection() { return selection; }

    /** Nothing by name: this teacher gives boxes, scores and labels only. */
    @Override public Set<String> provides() { return Set.of(); }

    @Override public int numStages() { return 0; }

    /**
     * The kept boxes of every image of the batch: boxes {@code [n,4]} cxcywh normalised, scores, contiguous labels.
     *
     * @throws IllegalArgumentException a batch image is not an image of the dataset the file was read for, or its
     *                                  original size differs from the dataset's
     */
    @Override
    public TeacherOutputs run(DetectionBatch batch) {
        List<org.nd4j.linalg.api.ndarray.INDArray> boxes = new ArrayList<>();
        List<double[]> scores = new ArrayList<>();
        List<int[]> labels = new ArrayList<>();
        for (ImageTarget t : batch.targets()) {
            ImageBoxes b = byImage.get(t.imageId());
            if (b == null) {
                throw new IllegalArgumentException("teacher results " + file + " were read for another dataset: image id "
                        + t.imageId() + " of the batch is not among its images");
            }
            if (b.width() != t.origWidth() || b.height() != t.origHeight()) {
                throw new IllegalArgumentException("teacher results " + file + ": image " + t.imageId() + " is "
                        + t.origWidth() + "x" + t.origHeight() + " in the batch but " + b.width() + "x" + b.height()
                        + " in the dataset the file was read for");
            }
            boxes.add(BoxLevelOutputs.boxArray(b.cxcywh().clone(), b.scores().length));
            scores.add(b.scores().clone());
            labels.add(b.labels().clone());
        }
        return new TeacherOutputs(Map.of(), List.of(), boxes, scores, labels);
    }

    @Override
    public String describe() {
        return "results file " + file + " (" + selection + ")";
    }
}

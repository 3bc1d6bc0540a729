package org.detrdistill.datasets.batch;

import org.detrdistill.datasets.coco.CocoDataset;
import org.detrdistill.datasets.coco.CocoImageInfo;
import org.detrdistill.datasets.coco.ImageAnnotations;
import org.detrdistill.datasets.image.DecodedImage;
import org.detrdistill.datasets.image.DetectionSample;
import org.detrdistill.datasets.image.DetectionTransform;
import org.detrdistill.datasets.image.ImageDecodeException;

import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.random.RandomGenerator;

/**
 * Turns an image index of a {@link CocoDataset} into a transformed {@link DetectionSample}: decode the file, take the
 * non-crowd annotations as targets (boxes x0,y0,x1,y1 pixels), apply the transform. Stateless and thread-safe.
 */
final class SampleLoader {
    private final CocoDataset dataset;
    private final Path imageRoot;
    private final DetectionTransform transform;

    SampleLoader(CocoDataset dataset, Path imageRoot, DetectionTransform transform) {
        this.dataset = dataset;
        this.imageRoot = imageRoot;
        this.transform = transform;
    }

    /**
     * @throws UncheckedIOException wrapping an {@link ImageDecodeException} if the file is missing or corrupt, or its
     *                              decoded size differs from the instances file; the message names the image id and file
     */
    DetectionSample load(int index, RandomGenerator rng) {
        CocoImageInfo info = dataset.image(index);
        Path file = imageRoot.resolve(info.fileName());
        DecodedImage image;
        try {
            image = DecodedImage.read(file);
        } catch (ImageDecodeException e) {
            throw new UncheckedIOException("image id " + info.id() + " (images index " + index + "): " + e.getMessage(), e);
        }
        if (image.width() != info.width() || image.height() != info.height()) {
            String msg = "decoded size " + image.width() + "x" + image.height() + " differs from the width x height "
                    + info.width() + "x" + info.height() + " in " + dataset.file().getFileName();
            image.close();
            throw new UncheckedIOException("image id " + info.id() + " (images index " + index + "): " + file + ": " + msg,
                    new ImageDecodeException(file.toString(), msg, null));
        }
        ImageAnnotations ann = dataset.annotations(index);
        DetectionSample sample = new DetectionSample(info.id(), image, ann.nonCrowdBoxesXyxy(), ann.nonCrowdLabels(),
                info.width(), info.height());
        try {
            return transform.apply(sample, rng);
        } catch (RuntimeException e) {
            sample.image().close();
            throw e;
        }
    }
}

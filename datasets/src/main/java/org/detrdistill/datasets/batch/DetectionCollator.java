package org.detrdistill.datasets.batch;

import org.detrdistill.datasets.image.DetectionSample;
import org.detrdistill.datasets.image.ImageTensors;
import org.detrdistill.datasets.image.Normalization;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Pads transformed samples into a {@link DetectionBatch} (DETR's {@code nested_tensor_from_tensor_list}): the batch
 * size is the largest height and width in the batch, optionally rounded up to a multiple of {@code sizeDivisibility};
 * each image sits in the top-left corner, padding is 0 in the normalised images and 1 in the mask. The images are
 * written straight from 8-bit pixels into one float buffer ({@link ImageTensors#writeChw}).
 */
public final class DetectionCollator {
    private DetectionCollator() { }

    /**
     * Builds a batch and closes the samples' images.
     *
     * @param samples          at least one sample; boxes {@code x0,y0,x1,y1} pixels of each sample's image
     * @param normalization    per-channel mean/std
     * @param sizeDivisibility pad {@code Hmax} and {@code Wmax} up to a multiple of this (1 = no rounding)
     * @return images {@code [B,3,Hmax,Wmax]}, mask {@code [B,Hmax,Wmax]}, targets with cxcywh boxes normalised by each
     *         image's unpadded size
     */
    public static DetectionBatch collate(List<DetectionSample> samples, Normalization normalization, int sizeDivisibility) {
        return collate(samples, normalization, sizeDivisibility, 0, 0);
    }

    /**
     * As {@link #collate(List, Normalization, int)}, but with {@code canvasHeight, canvasWidth > 0} every batch is padded
     * to exactly that size (a detector's fixed input canvas).
     *
     * @throws IllegalArgumentException if an image is larger than the canvas (names the image)
     */
    public static DetectionBatch collate(List<DetectionSample> samples, Normalization normalization, int sizeDivisibility,
                                         int canvasHeight, int canvasWidth) {
        if (samples.isEmpty()) {
            throw new IllegalArgumentException("cannot collate an empty list of samples");
        }
        if (sizeDivisibility < 1) {
            throw new IllegalArgumentException("sizeDivisibility must be >= 1, got " + sizeDivisibility);
        }
        try {
            int b = samples.size(), hMax = 0, wMax = 0;
            for (DetectionSample s : samples) {
                hMax = Math.max(hMax, s.image().height());
                wMax = Math.max(wMax, s.image().width());
            }
            if (canvasHeight > 0) {
                for (DetectionSample s : samples) {
                    if (s.image().height() > canvasHeight || s.image().width() > canvasWidth) {
                        throw new IllegalArgumentException("image " + s.imageId() + " is " + s.image().width() + "x"
                                + s.image().height() + " after transforms, larger than the " + canvasWidth + "x"
                                + canvasHeight + " input canvas: lower the resize's max size");
                    }
                }
                hMax = canvasHeight;
                wMax = canvasWidth;
            } else {
                hMax = roundUp(hMax, sizeDivisibility);
                wMax = roundUp(wMax, sizeDivisibility);
            }
            int plane = hMax * wMax;
            if ((long) b * 3 * plane > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("batch of " + b + " images of " + wMax + "x" + hMax + " is too large");
            }
            float[] images = new float[b * 3 * plane];
            float[] mask = new float[b * plane];
            Arrays.fill(mask, 1f);
            List<ImageTarget> targets = new ArrayList<>(b);
            for (int i = 0; i < b; i++) {
                DetectionSample s = samples.get(i);
                int h = s.image().height(), w = s.image().width();
                ImageTensors.writeChw(s.image(), normalization, images, i * 3 * plane, plane, wMax);
                for (int y = 0; y < h; y++) {
                    Arrays.fill(mask, i * plane + y * wMax, i * plane + y * wMax + w, 0f);
                }
                targets.add(target(s));
            }
            return new DetectionBatch(Nd4j.create(images, new long[]{b, 3, hMax, wMax}, DataType.FLOAT),
                    Nd4j.create(mask, new long[]{b, hMax, wMax}, DataType.FLOAT), targets);
        } finally {
            for (DetectionSample s : samples) {
                s.image().close();
            }
        }
    }

    /** The target of one transformed sample: boxes x0,y0,x1,y1 pixels become cxcywh normalised by the image size. */
    static ImageTarget target(DetectionSample s) {
        int n = s.size(), h = s.image().height(), w = s.image().width();
        float[] src = s.boxes();
        float[] cxcywh = new float[4 * n];
        for (int k = 0; k < n; k++) {
            float x0 = src[4 * k], y0 = src[4 * k + 1], x1 = src[4 * k + 2], y1 = src[4 * k + 3];
            cxcywh[4 * k] = (x0 + x1) / 2f / w;
            cxcywh[4 * k + 1] = (y0 + y1) / 2f / h;
            cxcywh[4 * k + 2] = (x1 - x0) / w;
            cxcywh[4 * k + 3] = (y1 - y0) / h;
        }
        INDArray boxes = n == 0 ? Nd4j.create(DataType.FLOAT, 0, 4)
                : Nd4j.create(cxcywh, new long[]{n, 4}, DataType.FLOAT);
        return new ImageTarget(s.imageId(), s.labels().clone(), boxes, h, w, s.origHeight(), s.origWidth());
    }

    private static int roundUp(int v, int d) {
        return (v + d - 1) / d * d;
    }
}

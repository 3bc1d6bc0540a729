/**
 * Images: decoding into 8-bit BGR ({@link org.detrdistill.datasets.image.DecodedImage}, OpenCV as in DataVec's
 * {@code NativeImageLoader}), geometric transforms that update the boxes with them (DETR semantics, deterministic given
 * a {@link java.util.random.RandomGenerator}), and conversion to normalised RGB float tensors
 * ({@link org.detrdistill.datasets.image.ImageTensors}).
 *
 * <p>Boxes in this package are {@code x0, y0, x1, y1} in pixels of the current image.
 */
package org.detrdistill.datasets.image;

package org.detrdistill.datasets.batch;

import org.detrdistill.datasets.coco.CocoDataset;
import org.detrdistill.datasets.coco.CocoImageInfo;
import org.detrdistill.datasets.coco.CocoInstancesReader;
import org.detrdistill.datasets.testutil.TestImages;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Path;

/** {@code coco/batch_small.json} (7 images, one without annotations, one crowd) with its PNGs written to a directory. */
final class SmallDataset {
    private SmallDataset() { }

    static CocoDataset load() throws IOException {
        try {
            return CocoInstancesReader.read(Path.of(SmallDataset.class.getResource("/coco/batch_small.json").toURI()));
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Writes every image of {@code ds} as a PNG under {@code dir}, pixels {@link TestImages#pattern} shifted by id. */
    static void writeImages(CocoDataset ds, Path dir) {
        for (CocoImageInfo im : ds.images()) {
            int shift = (int) im.id() * 17;
            TestImages.write(dir.resolve(im.fileName()), im.width(), im.height(),
                    (x, y) -> TestImages.pattern(x + shift, y));
        }
    }
}

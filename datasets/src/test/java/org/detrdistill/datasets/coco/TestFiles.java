package org.detrdistill.datasets.coco;

import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Path;

/** Locates the test JSON files under {@code src/test/resources/coco}. */
final class TestFiles {
    private TestFiles() { }

    static Path coco(String name) {
        URL url = TestFiles.class.getResource("/coco/" + name);
        if (url == null) {
            throw new IllegalArgumentException("no test resource coco/" + name);
        }
        try {
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}

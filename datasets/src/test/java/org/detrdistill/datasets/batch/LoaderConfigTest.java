package org.detrdistill.datasets.batch;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LoaderConfigTest {

    @Test
    void jsonRoundTrip() {
        LoaderConfig c = LoaderConfig.builder().batchSize(8).shuffle(false).seed(-5).workers(3).prefetchBatches(6)
                .dropLast(true).sizeDivisibility(32).build();
        assertEquals(c, LoaderConfig.fromJson(c.toJson()));
        assertEquals(LoaderConfig.defaults(), LoaderConfig.fromJson(LoaderConfig.defaults().toJson()));
    }

    @Test
    void unknownNamesFailAndListTheValidOnes() {
        String json = LoaderConfig.defaults().toJson().replace("{", "{\"threads\":2,");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> LoaderConfig.fromJson(json));
        assertTrue(e.getMessage().contains("threads") && e.getMessage().contains("prefetchBatches"), e.getMessage());
    }

    @Test
    void missingNamesAndInvalidValuesFail() {
        assertThrows(IllegalArgumentException.class, () -> LoaderConfig.fromJson("{\"batchSize\": 2}"));
        assertThrows(IllegalArgumentException.class, () -> LoaderConfig.builder().batchSize(0).build());
        assertThrows(IllegalArgumentException.class, () -> LoaderConfig.builder().workers(-1).build());
        String bad = LoaderConfig.defaults().toJson().replace("\"batchSize\":2", "\"batchSize\":0");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> LoaderConfig.fromJson(bad));
        assertTrue(e.getMessage().contains("batchSize must be >= 1"), e.getMessage());
    }
}

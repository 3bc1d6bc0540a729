package org.detrdistill.core.backbone;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BackboneConfigTest {

    @Test void presetsHaveTorchvisionLayouts() {
        BackboneConfig r18 = BackboneConfig.preset("resnet18");
        assertEquals(BlockType.BASIC, r18.block());
        assertEquals(List.of(2, 2, 2, 2), r18.depths());
        assertArrayEquals(new int[] {64, 128, 256, 512}, r18.outChannels());
        assertEquals(List.of(3, 4, 6, 3), BackboneConfig.preset("resnet34").depths());
        BackboneConfig r50 = BackboneConfig.preset("resnet50");
        assertEquals(BlockType.BOTTLENECK, r50.block());
        assertArrayEquals(new int[] {256, 512, 1024, 2048}, r50.outChannels());
        assertEquals(List.of(3, 4, 23, 3), BackboneConfig.preset("resnet101").depths());
        BackboneConfig tiny = BackboneConfig.preset("tiny");
        assertEquals(List.of(1, 1, 1, 1), tiny.depths());
        assertEquals(List.of(16, 32, 64, 128), tiny.widths());
        assertEquals(16, tiny.stemWidth());
        for (String name : BackboneConfig.presetNames()) {
            BackboneConfig c = BackboneConfig.preset(name);
            assertEquals(1, c.frozenStages(), name + ": DETR freezes stem + layer1");
            assertEquals(BackboneConfig.DETR_PREFIX, c.prefix());
            assertEquals(1e-5, c.bnEps());
            assertArrayEquals(new int[] {4, 8, 16, 32}, c.strides());
        }
    }

    @Test void unknownPresetListsValidNames() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> BackboneConfig.preset("resnet152"));
        assertTrue(e.getMessage().contains("resnet152"), e.getMessage());
        for (String n : BackboneConfig.presetNames()) assertTrue(e.getMessage().contains(n), e.getMessage());
    }

    @Test void jsonRoundTrip() {
        for (String name : BackboneConfig.presetNames()) {
            BackboneConfig c = BackboneConfig.preset(name);
            assertEquals(c, BackboneConfig.fromJson(c.toJson()), name);
        }
        BackboneConfig custom = BackboneConfig.builder().block(BlockType.BOTTLENECK).depths(1, 2, 1, 2).widths(8, 16, 24, 32)
                .stemWidth(16).trainAll().dilateC5(true).prefix("teacher.backbone.").bnEps(1e-3).build();
        String json = custom.toJson();
        assertEquals(custom, BackboneConfig.fromJson(json));
        assertTrue(json.contains("\"BOTTLENECK\"") && json.contains("\"teacher.backbone.\""), json);
        assertArrayEquals(new int[] {4, 8, 16, 16}, custom.strides());
        assertEquals(custom, custom.toBuilder().build());
    }

    @Test void badJsonNamesTheField() {
        String json = BackboneConfig.preset("tiny").toJson();
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
                () -> BackboneConfig.fromJson(json.replaceFirst("\"stemWidth\" : 16,", "")));
        assertTrue(missing.getMessage().contains("stemWidth"), missing.getMessage());
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class,
                () -> BackboneConfig.fromJson(json.replaceFirst("\\{", "{\"stemWdth\" : 16,")));
        assertTrue(unknown.getMessage().contains("stemWdth"), unknown.getMessage());
        IllegalArgumentException invalid = assertThrows(IllegalArgumentException.class,
                () -> BackboneConfig.fromJson(json.replaceFirst("\"stemWidth\" : 16", "\"stemWidth\" : 0")));
        assertTrue(invalid.getMessage().contains("stemWidth"), invalid.getMessage());
        IllegalArgumentException block = assertThrows(IllegalArgumentException.class,
                () -> BackboneConfig.fromJson(json.replaceFirst("\"BASIC\"", "\"BASICBLOCK\"")));
        assertTrue(block.getMessage().contains("BASICBLOCK"), block.getMessage());
    }

    @Test void invalidValuesFailFast() {
        assertThrows(IllegalArgumentException.class, () -> BackboneConfig.builder().depths(List.of(1, 1, 1)).build());
        assertThrows(IllegalArgumentException.class, () -> BackboneConfig.builder().widths(0, 1, 1, 1).build());
        assertThrows(IllegalArgumentException.class, () -> BackboneConfig.builder().frozenStages(5).build());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> BackboneConfig.builder().block(BlockType.BASIC).dilateC5(true).build());
        assertTrue(e.getMessage().contains("dilateC5"), e.getMessage());
    }
}

package org.detrdistill.examples.cli;

import org.junit.jupiter.api.Test;
import picocli.CommandLine.TypeConversionException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ImageSizeTest {
    @Test
    void parsesWidthByHeightAndSquares() {
        assertEquals(new ImageSize(128, 96), ImageSize.parse("128x96"));
        assertEquals(new ImageSize(128, 96), ImageSize.parse(" 128 X 96 "));
        assertEquals(new ImageSize(640, 480), ImageSize.parse("640*480"));
        assertEquals(new ImageSize(64, 64), ImageSize.parse("64"));
        assertEquals("128x96", new ImageSize(128, 96).toString());
    }

    @Test
    void rejectsOtherFormsQuotingTheText() {
        for (String bad : new String[] {"", "x", "64x", "x64", "64by64", "-3x4", "1.5x2", "0x10"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ImageSize.parse(bad), bad);
            assertTrue(e.getMessage().contains("'" + bad + "'") || e.getMessage().contains("positive"), e.getMessage());
        }
        TypeConversionException e = assertThrows(TypeConversionException.class, () -> new ImageSize.Converter().convert("big"));
        assertTrue(e.getMessage().contains("WIDTHxHEIGHT"), e.getMessage());
    }
}

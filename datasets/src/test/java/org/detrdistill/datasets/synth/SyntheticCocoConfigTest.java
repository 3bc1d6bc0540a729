package org.detrdistill.datasets.synth;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.UnaryOperator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SyntheticCocoConfigTest {

    @Test
    void defaultsAreTheDocumentedDemoConfig() {
        SyntheticCocoConfig c = SyntheticCocoConfig.builder().build();
        assertEquals(300, c.numTrainImages());
        assertEquals(60, c.numValImages());
        assertEquals(128, c.imageWidth());
        assertEquals(128, c.imageHeight());
        assertEquals(SyntheticCocoConfig.DEFAULT_CLASSES, c.classes());
        assertEquals(1, c.minObjects());
        assertEquals(4, c.maxObjects());
        assertEquals(0.1, c.minScale());
        assertEquals(0.45, c.maxScale());
        assertEquals(List.of(BackgroundKind.PLAIN, BackgroundKind.TEXTURED), c.backgrounds());
        assertEquals(1, c.categoryIdStride());
        assertEquals(92, c.jpegQuality());
        assertEquals(42, c.seed());
        String s = c.toString();
        assertTrue(s.contains("300 train + 60 val") && s.contains("128x128") && s.contains("red_circle"), s);
    }

    private static SyntheticCocoConfig everythingChanged() {
        return SyntheticCocoConfig.builder().numTrainImages(7).numValImages(0).imageWidth(160).imageHeight(96)
                .classes(SyntheticClass.crossed(List.of("red", "blue"), List.of("star", "hexagon")))
                .minObjects(0).maxObjects(9).minScale(0.05).maxScale(0.9).maxAspectRatio(2.5)
                .occlusionProbability(0.75).maxOcclusion(1.0)
                .backgrounds(List.of(BackgroundKind.PHOTO, BackgroundKind.PHOTO, BackgroundKind.PLAIN))
                .categoryIdStride(3).jpegQuality(55).seed(-12345678901L).build();
    }

    @Test
    void jsonRoundTripKeepsEveryField() {
        for (SyntheticCocoConfig c : List.of(SyntheticCocoConfig.builder().build(), everythingChanged())) {
            String json = c.toJson();
            assertEquals(c, SyntheticCocoConfig.fromJson(json), json);
            assertEquals(c, c.toBuilder().build());
        }
        String json = everythingChanged().toJson();
        assertTrue(json.contains("\"photo\"") && json.contains("\"blue_hexagon\""), json);
    }

    @Test
    void fileRoundTripAndErrorsNameTheFile(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("synth.json");
        everythingChanged().write(f);
        assertEquals(everythingChanged(), SyntheticCocoConfig.read(f));
        Files.writeString(f, "{\"maxScale\": 2.0}");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SyntheticCocoConfig.read(f));
        assertTrue(e.getMessage().contains(f.toString()) && e.getMessage().contains("maxScale"), e.getMessage());
    }

    @Test
    void missingJsonFieldsTakeDefaults() {
        SyntheticCocoConfig c = SyntheticCocoConfig.fromJson("{\"numTrainImages\": 5, \"classes\": [\"Circle\"]}");
        assertEquals(SyntheticCocoConfig.builder().numTrainImages(5).classes(List.of("circle")).build(), c);
    }

    @Test
    void unknownJsonFieldOrBackgroundFails() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SyntheticCocoConfig.fromJson("{\"numTrainImage\": 5}"));
        assertTrue(e.getMessage().contains("unknown field 'numTrainImage'")
                && e.getMessage().contains("valid fields: numTrainImages, numValImages"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> SyntheticCocoConfig.fromJson("{\"seed\": \"x\"}"));
        assertTrue(e.getMessage().contains("field 'seed'"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> SyntheticCocoConfig.fromJson("{\"backgrounds\": [\"marble\"]}"));
        assertTrue(e.getMessage().contains("marble") && e.getMessage().contains("plain, textured, photo"),
                e.getMessage());
    }

    @Test
    void unknownShapeListsTheValidShapes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SyntheticCocoConfig.builder().classes(List.of("circle", "pentagon")).build());
        assertTrue(e.getMessage().contains("classes[1]") && e.getMessage().contains("pentagon")
                && e.getMessage().contains(ShapeKind.validNames()), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> SyntheticCocoConfig.builder().classes(List.of("teal_circle")).build());
        assertTrue(e.getMessage().contains("teal") && e.getMessage().contains(ShapeColor.validNames()),
                e.getMessage());
    }

    @Test
    void classesAreCanonicalAndUnambiguous() {
        SyntheticCocoConfig c = SyntheticCocoConfig.builder().classes(List.of(" RED_Circle", "Square")).build();
        assertEquals(List.of("red_circle", "square"), c.classes());
        assertEquals(new SyntheticClass(ShapeKind.CIRCLE, ShapeColor.RED), c.parsedClasses().get(0));
        assertThrows(IllegalArgumentException.class,
                () -> SyntheticCocoConfig.builder().classes(List.of("red_circle", "red_CIRCLE")).build());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SyntheticCocoConfig.builder().classes(List.of("circle", "blue_circle")).build());
        assertTrue(e.getMessage().contains("ambiguous"), e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> SyntheticCocoConfig.builder().classes(List.of("red_blue_circle")).build());
        assertThrows(IllegalArgumentException.class, () -> SyntheticCocoConfig.builder().classes(List.of()).build());
    }

    @Test
    void crossedClassesAreColourMajor() {
        assertEquals(List.of("red_circle", "red_ring", "blue_circle", "blue_ring"),
                SyntheticClass.crossed(List.of("red", "blue"), List.of("circle", "ring")));
    }

    @Test
    void categoryIdsFollowTheStride() {
        SyntheticCocoConfig c = SyntheticCocoConfig.builder().categoryIdStride(2).build();
        assertEquals(List.of(1, 3, 5, 7, 9, 11), java.util.stream.IntStream.range(0, 6).mapToObj(c::categoryId).toList());
        assertThrows(IndexOutOfBoundsException.class, () -> c.categoryId(6));
    }

    private static void assertInvalid(String field, UnaryOperator<SyntheticCocoConfig.Builder> edit) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> edit.apply(SyntheticCocoConfig.builder()).build(), field);
        assertTrue(e.getMessage().contains(field), "message should name " + field + ": " + e.getMessage());
    }

    @Test
    void invalidValuesNameTheirField() {
        assertInvalid("numTrainImages", b -> b.numTrainImages(-1));
        assertInvalid("numValImages", b -> b.numValImages(-2));
        assertInvalid("numTrainImages + numValImages", b -> b.numTrainImages(0).numValImages(0));
        assertInvalid("imageWidth", b -> b.imageWidth(8));
        assertInvalid("imageHeight", b -> b.imageHeight(5000));
        assertInvalid("minObjects", b -> b.minObjects(-1));
        assertInvalid("maxObjects", b -> b.minObjects(5).maxObjects(4));
        assertInvalid("maxObjects", b -> b.maxObjects(101));
        assertInvalid("minScale", b -> b.minScale(0));
        assertInvalid("minScale", b -> b.minScale(0.01)); // 1.28 px at 128x128
        assertInvalid("maxScale", b -> b.minScale(0.5).maxScale(0.4));
        assertInvalid("maxScale", b -> b.maxScale(1.5));
        assertInvalid("maxAspectRatio", b -> b.maxAspectRatio(0.5));
        assertInvalid("occlusionProbability", b -> b.occlusionProbability(1.1));
        assertInvalid("maxOcclusion", b -> b.maxOcclusion(-0.1));
        assertInvalid("backgrounds", b -> b.backgrounds(List.of()));
        assertInvalid("categoryIdStride", b -> b.categoryIdStride(0));
        assertInvalid("jpegQuality", b -> b.jpegQuality(0));
        assertInvalid("jpegQuality", b -> b.jpegQuality(101));
        assertInvalid("classes", b -> b.classes(null));
    }
}

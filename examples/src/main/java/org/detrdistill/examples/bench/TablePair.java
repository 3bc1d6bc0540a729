package org.detrdistill.examples.bench;

import org.detrdistill.core.backbone.BackboneConfig;
import org.detrdistill.core.backbone.BlockType;
import org.detrdistill.core.model.AdaMixerOptions;
import org.detrdistill.core.model.DeformableOptions;
import org.detrdistill.core.model.DetectorConfig;
import org.detrdistill.core.model.DetectorPresets;
import org.detrdistill.core.model.Variant;

import java.util.Locale;
import java.util.Objects;

/**
 * The teacher and the student of the distillation table: the student is the variant's {@code <variant>_tiny} preset
 * (tiny backbone: BasicBlock [1,1,1,1], widths 16..128, stem 16; d 64; 2 decoder stages for Deformable DETR); the
 * teacher has a backbone of twice the width (BasicBlock [1,1,1,1], widths 32..256, stem 32), twice the model width and
 * FFN, the same encoder and twice the decoder stages. (A deeper teacher backbone, ResNet-18's [2,2,2,2] at half width,
 * cost 1.8 s of CPU per step against 1.4 s at batch 4 on a 64-pixel canvas: too much for the machine this was run on.) Both share the canvas, the
 * classes, the query count and the number of feature levels, as every distillation term requires (the feature terms
 * learn a 1×1 adapter from the student's width to the teacher's; the logits term maps the student's stages onto
 * groups of teacher stages). Deformable DETR keeps 3 feature levels on canvases below 128 pixels
 * ({@link #DEFORMABLE_LEVELS_BELOW_128}). In the paper the pair is ResNet-101 → ResNet-50 (METHOD §2e); here the student is
 * smaller in backbone, width and depth, which is the light-backbone setting of the paper (R18 student).
 *
 * @param teacher the teacher's configuration
 * @param student the student's configuration
 */
public record TablePair(DetectorConfig teacher, DetectorConfig student) {
    /** The teacher's backbone: the {@code tiny} preset at twice the width. */
    public static final BackboneConfig TEACHER_BACKBONE = BackboneConfig.builder().block(BlockType.BASIC).depths(1, 1, 1, 1)
            .widths(32, 64, 128, 256).stemWidth(32).build();

    /**
     * Feature levels of Deformable DETR on canvases below 128 pixels: C3–C5 (strides 8, 16, 32), without the extra
     * stride-64 level, which would be 1×1 on a 64-pixel canvas (and costs a quarter of the sampling ops).
     */
    public static final int DEFORMABLE_LEVELS_BELOW_128 = 3;

    public TablePair {
        Objects.requireNonNull(teacher, "teacher");
        Objects.requireNonNull(student, "student");
        if (teacher.variant() != student.variant()) throw new IllegalArgumentException("teacher and student must be one variant");
        if (teacher.inputHeight() != student.inputHeight() || teacher.inputWidth() != student.inputWidth()) {
            throw new IllegalArgumentException("teacher and student must share the canvas");
        }
    }

    /**
     * The pair of {@code variant} for {@code classes} classes on a square canvas of {@code size} pixels.
     *
     * @throws IllegalArgumentException if the variant has no {@code _tiny} preset
     */
    public static TablePair forVariant(Variant variant, int classes, int size) {
        DetectorConfig.Builder s = DetectorPresets.get(variant.id() + "_tiny").toBuilder().numClasses(classes)
                .inputSize(size, size);
        DetectorConfig preset = s.build();
        if (preset.deformable() != null && size < 128) {
            DeformableOptions o = preset.deformable();
            s.deformable(new DeformableOptions(DEFORMABLE_LEVELS_BELOW_128, o.encoderPoints(), o.decoderPoints(),
                    o.withBoxRefine(), o.twoStage(), o.groupNormGroups()));
        }
        DetectorConfig student = s.build();
        DetectorConfig.Builder t = student.toBuilder().backbone(TEACHER_BACKBONE.toBuilder()
                        .prefix(student.backbone().prefix()).build())
                .hiddenDim(2 * student.hiddenDim()).ffnDim(2 * student.ffnDim())
                .decoderLayers(2 * student.decoderLayers());
        if (student.adamixer() != null) {
            AdaMixerOptions a = student.adamixer();
            t.adamixer(new AdaMixerOptions(a.numLevels(), a.groups(), a.inPoints(), a.outPoints(), 2 * student.hiddenDim() / a.groups()));
        }
        return new TablePair(t.build(), student);
    }

    /** One line per model: backbone, width, layers, queries. */
    public String describe() {
        return "teacher " + describe(teacher) + "; student " + describe(student);
    }

    static String describe(DetectorConfig c) {
        BackboneConfig b = c.backbone();
        return String.format(Locale.ROOT, "%s blocks %s widths %s, d %d, %d+%d layers, FFN %d, %d queries",
                b.block().name().toLowerCase(Locale.ROOT), b.depths(), b.widths(), c.hiddenDim(), c.encoderLayers(), c.decoderLayers(), c.ffnDim(),
                c.numQueries());
    }
}

package org.detrdistill.core.backbone;

/**
 * The residual block of a ResNet stage, as in torchvision's {@code models/resnet.py}.
 *
 * <ul>
 *   <li>{@link #BASIC}: two 3×3 convs (stride on the first), expansion 1 (ResNet-18/34).</li>
 *   <li>{@link #BOTTLENECK}: 1×1 → 3×3 → 1×1 convs, the stride (or dilation) on the 3×3 conv ("ResNet v1.5", as
 *       torchvision), expansion 4 (ResNet-50/101).</li>
 * </ul>
 * A stage of width {@code w} outputs {@code w · expansion()} channels.
 */
public enum BlockType {
    /** Two 3×3 convolutions; output channels = stage width. */
    BASIC(1),
    /** 1×1, 3×3, 1×1 convolutions; output channels = 4 × stage width. */
    BOTTLENECK(4);

    private final int expansion;

    BlockType(int expansion) { this.expansion = expansion; }

    /** Ratio of a block's output channels to its stage width: 1 for {@link #BASIC}, 4 for {@link #BOTTLENECK}. */
    public int expansion() { return expansion; }
}

/**
 * ResNet backbones (torchvision layout, frozen BatchNorm) as SameDiff graph builders, with multi-scale outputs
 * C2..C5 for DETR-family detectors.
 *
 * <p>Entry points: {@link org.detrdistill.core.backbone.BackboneConfig} (architecture, presets, JSON) and
 * {@link org.detrdistill.core.backbone.ResNetBackbone#build}. Parameters are named by their PyTorch state_dict keys
 * (conv weights in YXIO layout, frozen BN folded into per-channel scale and shift constants).
 */
package org.detrdistill.core.backbone;

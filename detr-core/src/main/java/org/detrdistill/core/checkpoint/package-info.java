/**
 * Checkpoints: reading PyTorch state_dicts (folders of {@code .npy} files) and mapping them onto SameDiff graphs by
 * parameter name.
 */
package org.detrdistill.core.checkpoint;

/**
 * Weights in and out of detector graphs: reference {@code state_dict}s as folders of {@code .npy} files
 * ({@link org.detrdistill.core.checkpoint.StateDict}) and their checked mapping onto graph parameters
 * ({@link org.detrdistill.core.checkpoint.WeightLoader}).
 */
package org.detrdistill.core.checkpoint;

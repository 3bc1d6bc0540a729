/**
 * Weights in and out of detector graphs: reference {@code state_dict}s as folders of {@code .npy} files
 * ({@link org.detrdistill.core.checkpoint.StateDict}) and their checked mapping onto graph parameters
 * ({@link org.detrdistill.core.checkpoint.WeightLoader}), and lossless {@code .npy} encoding of arrays
 * ({@link org.detrdistill.core.checkpoint.Npy}, used by the training checkpoints of {@code core.train}).
 */
package org.detrdistill.core.checkpoint;

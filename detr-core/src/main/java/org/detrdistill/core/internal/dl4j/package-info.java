/**
 * Workarounds for defects of Deeplearning4j / ND4J 1.0.0-M2.1 SameDiff, and nothing else. Code elsewhere in the
 * framework never uses an op of the table below directly; it calls the workaround.
 *
 * <table>
 *   <caption>defect, workaround, test</caption>
 *   <tr><th>stock op and defect</th><th>workaround</th><th>test</th></tr>
 *   <tr><td>{@code gather} (axis 0, 1-D indices): silently wrong gradient w.r.t. the input (the backward scatter
 *       {@code put} mis-places rows and drops repeated indices). A subclass with a fixed {@code doDiff} alone does not
 *       help: SameDiff re-creates ops by op hash when it builds the gradient graph.</td>
 *       <td>{@link org.detrdistill.core.internal.dl4j.FixedGather} (gradient = {@code unsortedSegmentSum} of the
 *       incoming gradient over the indices), registered for the {@code gather} hash by
 *       {@link org.detrdistill.core.internal.dl4j.Dl4jFixes#install()}; entry point
 *       {@link org.detrdistill.core.internal.dl4j.Gathers#rows}</td>
 *       <td>{@code GathersTest}: stock gradient deviates from the finite difference; an unregistered subclass is
 *       replaced; the fixed op matches finite differences and the exact segment sum</td></tr>
 *   <tr><td>{@code math.max / math.min} with a broadcast on both sides ({@code [3,1,4]} vs {@code [1,5,4]}): right
 *       forward, silently wrong gradient</td>
 *       <td>{@link org.detrdistill.core.internal.dl4j.BroadcastSafe#max} / {@code #min}: expand both sides to the
 *       full shape first ({@code a + zerosLike(b)})</td>
 *       <td>{@code BroadcastSafeTest}: stock gradients deviate from finite differences by &gt; 1e-2, workaround
 *       within 1e-7</td></tr>
 *   <tr><td>{@code where(x, y, cond)}: no gradient ({@code UnsupportedOperationException} when the gradient graph
 *       is built)</td>
 *       <td>{@link org.detrdistill.core.internal.dl4j.Masks#select}: {@code m·x + (1−m)·y}</td>
 *       <td>{@code MasksTest}</td></tr>
 *   <tr><td>{@code nn.logSoftmax(x, axis)}: backward fails ("Error setting property ... LogSoftMax")</td>
 *       <td>{@link org.detrdistill.core.internal.dl4j.LogSoftmax#of}: {@code x − m − log Σ exp(x − m)}</td>
 *       <td>{@code LogSoftmaxTest}: stock throws; workaround matches a plain-double reference to 1e-12 and finite
 *       differences on every axis</td></tr>
 * </table>
 *
 * <p>Stock ops measured correct (finite differences, double) and used directly: two-sided broadcasting
 * {@code add/sub/mul/div}, {@code abs}, {@code clipByValue}, {@code relu}, {@code softplus}, {@code logSigmoid},
 * {@code softmax(x, axis)}, {@code pow}, reductions with {@code keepDims}.
 */
package org.detrdistill.core.internal.dl4j;

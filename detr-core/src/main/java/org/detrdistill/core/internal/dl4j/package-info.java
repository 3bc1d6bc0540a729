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
 *       forward; max's gradient has wrong values, min's gradient w.r.t. the first input has the full broadcast shape</td>
 *       <td>{@link org.detrdistill.core.internal.dl4j.BroadcastSafe#max} / {@code #min}: expand both sides to the
 *       full shape first ({@code a + zerosLike(b)})</td>
 *       <td>{@code BroadcastSafeTest}: stock gradients deviate from finite differences by &gt; 1e-2 or have the wrong
 *       shape, workaround within 1e-7</td></tr>
 *   <tr><td>{@code where(x, y, cond)}: no gradient ({@code UnsupportedOperationException} when the gradient graph
 *       is built)</td>
 *       <td>{@link org.detrdistill.core.internal.dl4j.Masks#select}: {@code m·x + (1−m)·y}</td>
 *       <td>{@code MasksTest}</td></tr>
 *   <tr><td>{@code nn.logSoftmax(x, axis)}: backward fails ("Error setting property ... LogSoftMax")</td>
 *       <td>{@link org.detrdistill.core.internal.dl4j.LogSoftmax#of}: {@code x − m − log Σ exp(x − m)}</td>
 *       <td>{@code LogSoftmaxTest}: stock throws; workaround matches a plain-double reference to 1e-12 and finite
 *       differences on every axis</td></tr>
 *   <tr><td>{@code unstack} whose every output is reshaped ({@code expandDims}, {@code reshape}) before use:
 *       building the gradient fails ("no gradient for required variable")</td>
 *       <td>no wrapper: take columns with {@code split(x, k, axis)}, which gives {@code [N,1]} directly (used by
 *       {@code core.box.SdBoxOps})</td>
 *       <td>{@code UnstackReshapeTest}</td></tr>
 *   <tr><td>{@code nn.softplus}, {@code nn.logSigmoid}: computed literally, overflow ({@code softplus(100)} = inf in
 *       FLOAT, {@code logSigmoid(-100)} = −inf in FLOAT) and lose precision for very negative inputs</td>
 *       <td>{@link org.detrdistill.core.internal.dl4j.Softplus}: {@code s·x + log1p(exp(−|x|))} with a constant
 *       mask; also {@code logSigmoid} and {@code bceWithLogits}</td>
 *       <td>{@code SoftplusTest}: stock overflow shown; workaround to 1e-15 of a plain-double reference, gradient
 *       exactly {@code σ(x) − t} including at {@code x = 0}</td></tr>
 *   <tr><td>{@code cnn.conv2d} with dilation &gt; 1 in FLOAT on the oneDNN CPU build: "could not create a descriptor
 *       for a dilated convolution forward propagation primitive" (DOUBLE works)</td>
 *       <td>{@link org.detrdistill.core.internal.dl4j.DilatedConv2d}: the same conv with a zero-inserted dense kernel
 *       built in the graph (exact; (K/k)² more multiply-adds)</td>
 *       <td>{@code DilatedConv2dTest}</td></tr>
 *   <tr><td>reductions ({@code mean}, {@code sum}, {@code max}) of a rank ≥ 3 tensor with {@code keepDims = true}
 *       and a NEGATIVE axis: silently wrong values (rank 2 and INDArray reductions are right)</td>
 *       <td>no wrapper: reduce positive axes, or a 2-D view {@code [N, d]} as {@link org.detrdistill.core.nn.LayerNorm}
 *       does</td>
 *       <td>{@code NegativeAxisReductionTest}</td></tr>
 *   <tr><td>{@code nn.layerNorm}: divides by the standard deviation with no epsilon, so it departs from PyTorch's
 *       {@code LayerNorm} (eps 1e-5 inside the square root) wherever the variance is small</td>
 *       <td>{@link org.detrdistill.core.nn.LayerNorm}, built from primitives</td>
 *       <td>{@code NegativeAxisReductionTest#fusedLayerNormHasNoEpsilon}, {@code NnParityTest}</td></tr>
 *   <tr><td>{@code SameDiff.createGradFunction} prints {@code "Added differentiated op <name>"} to
 *       {@code System.out} for every op (unconditionally) when a gradient graph is built</td>
 *       <td>{@link org.detrdistill.core.internal.dl4j.GradientLogFilter#install()}: a {@code System.out} that drops
 *       exactly those lines (installed by the CLI and the example mains)</td>
 *       <td>{@code GradientLogFilterTest}: the lines appear without it, not with it; other output passes</td></tr>
 *   <tr><td>samediff-import-onnx's {@code OnnxFrameworkImporter.runImport} prints the imported graph (initializer
 *       names, {@code SameDiff.summary()}, a line per ignored attribute: ~1 MB for a detector) to {@code System.out},
 *       unconditionally</td>
 *       <td>{@link org.detrdistill.core.internal.dl4j.QuietStdout#run}: {@code System.out} discarded for the call
 *       (used by {@code core.onnx.OnnxImporter})</td>
 *       <td>{@code QuietStdoutTest}</td></tr>
 *   <tr><td>{@code tensorMmul} (native {@code tensormmul}): right forward; its backward {@code tensormmul_bp} fails
 *       ("ShapeUtils::evalShapeForTensorDot method: the dimensions at given axes for both input arrays must be the
 *       same") as soon as a gradient is asked for</td>
 *       <td>no wrapper: permute the contracted axes to the end of the left operand and the start of the right one,
 *       reshape both to 2-D and {@code mmul} (as {@link org.detrdistill.core.nn.Linear} and the attention code do)</td>
 *       <td>{@code TensorMmulTest}: stock backward throws; the reshape + mmul form gives the same values and matches
 *       finite differences</td></tr>
 *   <tr><td>reductions ({@code sum, mean, max, norm2, std}) of a rank-2 tensor shaped like a vector ({@code [1,N]},
 *       {@code [N,1]}) over its unit axis, i.e. over one-element groups (a batch or group of one): a
 *       {@code NullPointerException} in {@code BaseReduceOp.noOp} ({@code Norm2.noOp}, {@code Variance.noOp}), a
 *       shortcut that reads the op's input field, which SameDiff leaves empty. Rank ≥ 3 inputs and INDArray
 *       reductions are fine</td>
 *       <td>no wrapper: a reduction over a unit axis changes no value: drop the axis with {@code squeeze}/{@code reshape},
 *       or reduce a rank ≥ 3 view</td>
 *       <td>{@code UnitAxisReductionTest}: stock throws for {@code [1,N]} and {@code [N,1]}; {@code squeeze} gives the
 *       reduction with a gradient matching finite differences</td></tr>
 *   <tr><td>the executor ({@code AbstractSession.output}): per call it validates every requested output against a
 *       freshly built map of all variables, re-derives the subgraph (a regular expression compiled per visited
 *       variable) and runs a dependency tracker over every variable of the graph; {@code calculateGradients} turns
 *       the array cache off for the gradient graph, so every op output there is a fresh native allocation. A detector
 *       training step spent most of its time outside the ops. Not a wrong result: a cost</td>
 *       <td>{@link org.detrdistill.core.internal.dl4j.FastExecution#install()} binds
 *       {@link org.detrdistill.core.internal.dl4j.PlanSession} through SameDiff's public {@code InferenceFactory}
 *       hook: a cached {@link org.detrdistill.core.internal.dl4j.ExecutionPlan} per requested output set, pooled
 *       arrays ({@link org.detrdistill.core.internal.dl4j.ArrayPool}), the stock per-op code; control flow falls back
 *       to the stock executor. {@link org.detrdistill.core.internal.dl4j.StagedGradients} runs a loss whose
 *       placeholders come from the forward pass (Hungarian matching) with one forward pass.
 *       {@code -Ddetr.executor=stock} keeps the stock executor</td>
 *       <td>{@code PlanSessionTest}: same values and gradients as the stock executor, returned arrays never reused,
 *       intermediates pooled, control flow falls back, stock errors kept, the staged gradient equals the two-pass
 *       one with one forward pass</td></tr>
 * </table>
 *
 * <p>Known and not worked around (no framework code depends on it): a placeholder whose only path to the loss goes
 * through a {@code reshape} gets no gradient ("No outputs were specified", or a missing entry). Detector inputs never
 * need gradients; tests that check gradients w.r.t. layer inputs make those inputs variables.
 *
 * <p>Stock ops measured correct (finite differences, double) and used directly: two-sided broadcasting
 * {@code add/sub/mul/div}, {@code abs}, {@code clipByValue}, {@code relu}, {@code softplus}, {@code logSigmoid},
 * {@code softmax(x, axis)}, {@code pow}, reductions with {@code keepDims} over positive axes.
 */
package org.detrdistill.core.internal.dl4j;

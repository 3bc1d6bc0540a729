/**
 * Workarounds for Deeplearning4j 1.0.0-M2.1 ops that fail or have wrong gradients, and nothing else.
 *
 * <table>
 *   <caption>Stock ops replaced here</caption>
 *   <tr><th>stock op</th><th>failure</th><th>replacement</th></tr>
 *   <tr><td>{@code conv2d} with dilation &gt; 1, FLOAT, oneDNN CPU build</td><td>exception at execution</td>
 *       <td>{@link org.detrdistill.core.internal.dl4j.DilatedConv2d}</td></tr>
 * </table>
 * Other known defects (gather, two-sided-broadcast max/min, cumsum along axis ≥ 1, where, dropout, batchMmul,
 * logSoftmax with axis): see {@code shared/docs/DL4J-NOTES.md}.
 */
package org.detrdistill.core.internal.dl4j;

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
 * </table>
 */
package org.detrdistill.core.internal.dl4j;

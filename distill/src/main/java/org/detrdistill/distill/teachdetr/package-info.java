/**
 * Teach-DETR (Huang et al., TPAMI; METHOD §3): the boxes of any teachers (DETR-type or not, online or from a results
 * file) as independent extra target sets of the student's detection loss, weighted by the teachers' scores.
 * {@link org.detrdistill.distill.teachdetr.TeachDetrTerm} with {@link org.detrdistill.distill.teachdetr.TeachDetrOptions}.
 */
package org.detrdistill.distill.teachdetr;

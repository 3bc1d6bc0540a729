/**
 * Runnable example mains: short, self-contained programs over the library that a user can copy into their own
 * project (each documents its arguments in its class comment). The command line is in
 * {@link org.detrdistill.examples.cli}, benchmarks in {@link org.detrdistill.examples.bench}.
 */
package org.detrdistill.examples;

/**
 * Benchmarks: JMH benchmarks (run through {@code org.openjdk.jmh.Main}) and benchmark mains that print numbers.
 * Timing lives here, never in unit tests; the numbers go in the module READMEs.
 */
package org.detrdistill.examples.bench;

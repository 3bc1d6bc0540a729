/**
 * Benchmarks: JMH benchmarks (run through {@code org.openjdk.jmh.Main}) and benchmark mains. Timing lives here,
 * never in unit tests.
 */
package org.detrdistill.examples.bench;

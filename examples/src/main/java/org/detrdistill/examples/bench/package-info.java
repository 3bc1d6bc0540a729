/** Benchmark mains and JMH benchmarks. Numbers go in the READMEs, never into test assertions. */
package org.detrdistill.examples.bench;

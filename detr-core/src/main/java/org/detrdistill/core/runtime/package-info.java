/**
 * The ND4J native runtime: choosing the native build for the CPU, thread settings, and a one-line description of
 * what runs, logged by every runnable entry point. See {@link org.detrdistill.core.runtime.NativeRuntime}.
 */
package org.detrdistill.core.runtime;

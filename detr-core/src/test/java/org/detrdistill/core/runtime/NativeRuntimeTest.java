package org.detrdistill.core.runtime;

import org.junit.jupiter.api.Test;

import java.util.Optional;

import static org.junit.jupiter.api.Assertions.*;

class NativeRuntimeTest {

    @Test
    void describesTheLoadedNativeBuild() {
        String d = NativeRuntime.prepare();
        // the test classpath carries the default CPU profile: the oneDNN/AVX2 build on an AVX2 machine
        assertTrue(d.startsWith("ND4J CPU backend, native build linux-x86_64"), d);
        assertTrue(NativeRuntime.nativeBuild().isPresent(), "no nd4j native library found among " + d);
        boolean avx2 = NativeRuntime.cpuFlags().map(f -> f.contains(" avx2 ")).orElse(true);
        if (avx2) assertTrue(d.contains("linux-x86_64-onednn-avx2") && d.contains("ONEDNN"), d);
    }

    @Test
    void extractsTheBuildFolderFromALibraryPath() {
        assertEquals(Optional.of("linux-x86_64-onednn-avx2"), NativeRuntime.buildOf(
                "/root/.javacpp/cache/nd4j-native-1.0.0-M2.1-linux-x86_64-onednn-avx2.jar/org/nd4j/linalg/cpu/nativecpu/bindings/linux-x86_64-onednn-avx2/libnd4jcpu.so"));
        assertEquals(Optional.of("linux-x86_64"), NativeRuntime.buildOf(
                "/c/org/nd4j/linalg/cpu/nativecpu/bindings/linux-x86_64/libjnind4jcpu.so"));
        assertEquals(Optional.empty(), NativeRuntime.buildOf("/usr/lib/libgomp.so.1"));
        assertEquals(Optional.empty(), NativeRuntime.buildOf(null));
    }

    @Test
    void threadSettingPrecedenceAndErrors() {
        assertEquals(NativeRuntime.DEFAULT_THREADS, NativeRuntime.threads(null, null));
        assertEquals(2, NativeRuntime.threads(null, "2"));
        assertEquals(3, NativeRuntime.threads("3", "2"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> NativeRuntime.threads("zero", null));
        assertTrue(e.getMessage().contains("OMP_NUM_THREADS"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> NativeRuntime.threads(null, "0"));
        assertTrue(e.getMessage().contains("detr.threads"), e.getMessage());
    }
}

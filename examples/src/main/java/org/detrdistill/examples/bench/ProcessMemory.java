package org.detrdistill.examples.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Resident memory of this process from Linux's {@code /proc/self/status}: {@code VmHWM} (peak resident set size) and
 * {@code VmRSS} (current). The peak can be reset to the current size by writing {@code 5} to
 * {@code /proc/self/clear_refs} (Linux ≥ 4.0), which lets one process measure several models in turn. On other
 * systems every figure is -1.
 */
public final class ProcessMemory {
    private static final Path STATUS = Path.of("/proc/self/status");
    private static final Path CLEAR_REFS = Path.of("/proc/self/clear_refs");

    private ProcessMemory() {}

    /** Peak resident set size in MiB ({@code VmHWM}), or -1 if unavailable. */
    public static double peakRssMib() { return field("VmHWM:"); }

    /** Current resident set size in MiB ({@code VmRSS}), or -1 if unavailable. */
    public static double rssMib() { return field("VmRSS:"); }

    /**
     * Resets the peak to the current resident size.
     *
     * @return whether the kernel accepted the reset
     */
    public static boolean resetPeak() {
        try {
            Files.writeString(CLEAR_REFS, "5");
            return true;
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            return false;
        }
    }

    private static double field(String name) {
        try {
            for (String line : Files.readAllLines(STATUS)) {
                if (line.startsWith(name)) {
                    String[] parts = line.substring(name.length()).trim().split("\\s+");   // "<n> kB"
                    return Long.parseLong(parts[0]) / 1024.0;
                }
            }
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }
}

package org.detrdistill.core.checkpoint;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * A PyTorch state_dict stored as a folder of NumPy files, one {@code <key>.npy} per tensor (e.g.
 * {@code backbone.0.body.layer1.0.conv1.weight.npy}), as the reference fixtures store them.
 *
 * <p>Arrays keep their stored type and PyTorch layout (conv weights {@code (O,I,kh,kw)}, linear weights
 * {@code [out,in]}); mapping into a graph is the job of the component that owns the names (e.g.
 * {@code ResNetBackbone.loadStateDict}).
 */
public final class NpyStateDict {
    private NpyStateDict() {}

    /**
     * Reads every {@code *.npy} file directly in {@code dir} (not recursive).
     *
     * @return key (file name without {@code .npy}) → array, sorted by key, unmodifiable
     * @throws IllegalArgumentException if {@code dir} is not a directory, or naming the file that cannot be parsed
     */
    public static Map<String, INDArray> read(Path dir) {
        if (!Files.isDirectory(dir)) throw new IllegalArgumentException("state_dict folder does not exist: " + dir);
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.filter(f -> f.getFileName().toString().endsWith(".npy") && Files.isRegularFile(f)).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list state_dict folder " + dir, e);
        }
        Map<String, INDArray> out = new TreeMap<>();
        for (Path f : files) {
            String name = f.getFileName().toString();
            out.put(name.substring(0, name.length() - 4), readNpy(f));
        }
        return Collections.unmodifiableMap(out);
    }

    /** Reads one {@code .npy} file exactly as stored. */
    public static INDArray readNpy(Path file) {
        try {
            return Nd4j.createFromNpyFile(file.toFile());
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("cannot read .npy file " + file + ": " + e.getMessage(), e);
        }
    }
}

package org.detrdistill.core.checkpoint;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * A PyTorch {@code state_dict} as a map from key to array, read from a folder of {@code <key>.npy} files
 * (the layout of the reference fixtures and of {@code tools/} exports). Arrays keep their stored type.
 */
public final class StateDict {
    private final Map<String, INDArray> tensors;
    private final String source;

    public StateDict(Map<String, INDArray> tensors, String source) {
        this.tensors = Collections.unmodifiableMap(new TreeMap<>(tensors));
        this.source = source;
    }

    /**
     * Reads every {@code *.npy} file of {@code dir} (not recursive); the key is the file name without {@code .npy}.
     *
     * @throws IllegalArgumentException if {@code dir} is not a folder, holds no .npy file, or a file is not a valid .npy
     *                                  (the message names the file)
     */
    public static StateDict readNpyFolder(Path dir) {
        if (!Files.isDirectory(dir)) throw new IllegalArgumentException("state_dict folder not found: " + dir);
        Map<String, INDArray> out = new TreeMap<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : (Iterable<Path>) files.sorted()::iterator) {
                String name = f.getFileName().toString();
                if (!name.endsWith(".npy") || !Files.isRegularFile(f)) continue;
                try {
                    out.put(name.substring(0, name.length() - 4), Nd4j.createFromNpyFile(f.toFile()));
                } catch (RuntimeException e) {
                    throw new IllegalArgumentException("not a readable .npy file: " + f + " (" + e.getMessage() + ")", e);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir, e);
        }
        if (out.isEmpty()) throw new IllegalArgumentException("no .npy files in state_dict folder " + dir);
        return new StateDict(out, dir.toString());
    }

    /** All keys, sorted. */
    public java.util.Set<String> keys() { return tensors.keySet(); }

    /** The tensor of {@code key}, or null. */
    public INDArray get(String key) { return tensors.get(key); }

    public Map<String, INDArray> asMap() { return tensors; }

    /** Where the tensors came from (a folder, an ONNX file, ...), for error messages. */
    public String source() { return source; }

    public int size() { return tensors.size(); }
}

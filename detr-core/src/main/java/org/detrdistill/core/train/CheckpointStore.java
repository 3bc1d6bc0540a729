package org.detrdistill.core.train;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A folder of named checkpoints, {@code <dir>/<name>.zip}, with the two a training run keeps: {@value #LAST} (after
 * every save) and {@value #BEST} (a copy of the last one whenever the evaluation metric improved).
 *
 * <p>Every write is atomic ({@link CheckpointFile#write}): a crash, a full disk or a non-finite model while saving
 * leaves the previous {@code last.zip} and {@code best.zip} exactly as they were. Reading validates everything and
 * never modifies or deletes a file, so a corrupt checkpoint stays on disk for inspection.
 */
public final class CheckpointStore {
    /** The checkpoint overwritten at every save. */
    public static final String LAST = "last";
    /** The checkpoint of the best evaluation so far. */
    public static final String BEST = "best";
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]*");

    private final Path dir;

    /**
     * Opens (and creates) {@code dir}, deleting temporary files that an interrupted save of this class left there.
     *
     * @throws UncheckedIOException if the folder cannot be created or listed
     */
    public CheckpointStore(Path dir) {
        this.dir = Objects.requireNonNull(dir, "dir");
        try {
            Files.createDirectories(dir);
            try (Stream<Path> files = Files.list(dir)) {
                for (Path f : (Iterable<Path>) files::iterator) {
                    String n = f.getFileName().toString();
                    if (n.startsWith(".") && n.contains(".zip" + CheckpointFile.TEMP_MARK)) Files.deleteIfExists(f);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open checkpoint folder " + dir, e);
        }
    }

    public Path dir() { return dir; }

    /** The file of checkpoint {@code name}. @throws IllegalArgumentException for names that are not plain file names */
    public Path path(String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("invalid checkpoint name '" + name + "': letters, digits, '_', '.', '-', not starting with '.'");
        }
        return dir.resolve(name + ".zip");
    }

    /** Whether checkpoint {@code name} exists (not whether it is valid). */
    public boolean exists(String name) { return Files.isRegularFile(path(name)); }

    /**
     * Saves {@code checkpoint} as {@code name} atomically.
     *
     * @throws IllegalArgumentException if the model or optimizer state is non-finite (nothing written)
     * @throws IOException              on I/O failure (the previous file is unchanged)
     */
    public void save(String name, Checkpoint checkpoint) throws IOException {
        CheckpointFile.write(checkpoint, path(name));
    }

    /**
     * Saves {@code checkpoint} as {@value #LAST}, and, if {@code isBest}, copies it to {@value #BEST} afterwards.
     *
     * @throws IOException on I/O failure; what was not replaced yet is unchanged
     */
    public void saveLast(Checkpoint checkpoint, boolean isBest) throws IOException {
        save(LAST, checkpoint);
        if (isBest) CheckpointFile.copy(path(LAST), path(BEST));
    }

    /**
     * Reads and validates checkpoint {@code name}.
     *
     * @throws CheckpointException if it is missing or invalid (naming file, entry and field)
     */
    public Checkpoint load(String name) { return CheckpointFile.read(path(name)); }

    /** {@link #load} if the file exists, else empty. @throws CheckpointException if it exists but is invalid */
    public Optional<Checkpoint> loadIfPresent(String name) {
        return exists(name) ? Optional.of(load(name)) : Optional.empty();
    }
}

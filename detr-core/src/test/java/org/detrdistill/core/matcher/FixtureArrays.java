package org.detrdistill.core.matcher;

import com.fasterxml.jackson.databind.JsonNode;
import org.detrdistill.core.box.HostArrays;
import org.detrdistill.core.testutil.Fixture;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Arrays;

/**
 * Fixture reads that respect empty arrays: {@code Nd4j.createFromNpyFile} reads a 1-D file of shape {@code (0,)}
 * as one element, so the shape recorded in the manifest decides.
 */
final class FixtureArrays {
    private FixtureArrays() {}

    /** The manifest shape of {@code name.npy}. */
    static long[] shape(Fixture f, String name) {
        for (JsonNode file : f.manifest().get("files")) {
            if (file.get("name").asText().equals(name + ".npy")) {
                long[] s = new long[file.get("shape").size()];
                for (int i = 0; i < s.length; i++) s[i] = file.get("shape").get(i).asLong();
                return s;
            }
        }
        throw new IllegalArgumentException("fixture " + f.dir().getFileName() + " lists no file " + name + ".npy");
    }

    static boolean isEmpty(Fixture f, String name) {
        return Arrays.stream(shape(f, name)).anyMatch(d -> d == 0);
    }

    /** An int64 vector as int[]. */
    static int[] ints(Fixture f, String name) {
        if (isEmpty(f, name)) return new int[0];
        return Arrays.stream(HostArrays.toDoubles(f.npy(name))).mapToInt(d -> (int) d).toArray();
    }

    /** A float64 array, empty arrays with their manifest shape. */
    static INDArray doubles(Fixture f, String name) {
        if (isEmpty(f, name)) return Nd4j.create(DataType.DOUBLE, shape(f, name));
        return f.npy(name, DataType.DOUBLE);
    }
}

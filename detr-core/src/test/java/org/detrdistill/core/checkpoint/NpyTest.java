package org.detrdistill.core.checkpoint;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** .npy encoding: lossless round trips, readable by ND4J's own reader, clear errors on bad headers. */
class NpyTest {

    @Test
    void roundTripsEveryTypeAndShapeBitForBit(@TempDir Path tmp) throws Exception {
        INDArray[] arrays = {
                Nd4j.rand(DataType.FLOAT, 2, 3, 4),
                Nd4j.rand(DataType.DOUBLE, 5),
                Nd4j.createFromArray(new int[][] {{1, -2}, {3, Integer.MIN_VALUE}}),
                Nd4j.createFromArray(Long.MAX_VALUE, -7L),
                Nd4j.scalar(3.25f),
                Nd4j.create(DataType.FLOAT, 0, 4),
                Nd4j.rand(DataType.FLOAT, 4, 6).get(NDArrayIndex.interval(1, 3), NDArrayIndex.interval(2, 5)), // a view
                Nd4j.rand(DataType.DOUBLE, 3, 2).dup('f'),
        };
        for (int i = 0; i < arrays.length; i++) {
            INDArray a = arrays[i];
            byte[] bytes = Npy.encode(a);
            assertEquals(0, (bytes.length - a.length() * a.dataType().width()) % 64, "header padded to 64 bytes");
            INDArray back = Npy.decode(bytes, "case " + i);
            assertEquals(a.dataType(), back.dataType());
            assertArrayEquals(a.shape(), back.shape());
            assertEquals(a, back, "case " + i);
            if (a.length() > 0) {
                Path f = tmp.resolve(i + ".npy");
                Files.write(f, bytes);
                INDArray nd = Nd4j.createFromNpyFile(f.toFile());
                assertEquals(a.reshape(a.length()).castTo(DataType.DOUBLE), nd.reshape(nd.length()).castTo(DataType.DOUBLE), "ND4J's reader, case " + i);
            }
        }
    }

    @Test
    void keepsNanPayloadsAndSignedZeros() {
        float odd = Float.intBitsToFloat(0x7fc12345);
        INDArray a = Nd4j.createFromArray(odd, -0.0f, Float.NEGATIVE_INFINITY);
        INDArray b = Npy.decode(Npy.encode(a), "x");
        assertEquals(0x7fc12345, Float.floatToRawIntBits(b.getFloat(0)));
        assertEquals(Float.floatToRawIntBits(-0.0f), Float.floatToRawIntBits(b.getFloat(1)));
        assertEquals(Float.NEGATIVE_INFINITY, b.getFloat(2));
    }

    @Test
    void headerMatchesNumpysFormat() {
        byte[] bytes = Npy.encode(Nd4j.zeros(DataType.FLOAT, 3));
        String header = new String(bytes, 10, bytes.length - 10 - 12, StandardCharsets.US_ASCII);
        assertTrue(header.startsWith("{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }"), header);
        assertTrue(header.endsWith("\n"));
    }

    @Test
    void rejectsBadFilesNamingSourceAndField() {
        byte[] good = Npy.encode(Nd4j.zeros(DataType.FLOAT, 2, 2));
        byte[] badMagic = good.clone();
        badMagic[1] = 'X';
        assertMessage("f.npy: not a .npy file", () -> Npy.decode(badMagic, "f.npy"));
        assertMessage("'fortran_order' is True", () -> Npy.decode(patch(good, "False", "True "), "f.npy"));
        assertMessage("'descr' = '>f4'", () -> Npy.decode(patch(good, "<f4", ">f4"), "f.npy"));
        assertMessage("needs 16", () -> Npy.decode(Arrays.copyOf(good, good.length - 4), "f.npy"));
        assertMessage("'shape'", () -> Npy.decode(patch(good, "(2, 2)", "(2, x)"), "f.npy"));
        assertThrows(IllegalArgumentException.class, () -> Npy.encode(Nd4j.create(DataType.BOOL, 2)));
    }

    private static byte[] patch(byte[] b, String from, String to) {
        String s = new String(b, StandardCharsets.ISO_8859_1);
        assertTrue(s.contains(from));
        return s.replace(from, to).getBytes(StandardCharsets.ISO_8859_1);
    }

    private static void assertMessage(String part, org.junit.jupiter.api.function.Executable ex) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, ex);
        assertTrue(e.getMessage().contains(part) && e.getMessage().contains("f.npy"), e.getMessage());
    }
}

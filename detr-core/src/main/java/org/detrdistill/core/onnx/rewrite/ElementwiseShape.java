package org.detrdistill.core.onnx.rewrite;

import java.util.Arrays;

/** NumPy broadcasting of two static shapes. */
final class ElementwiseShape {
    private ElementwiseShape() {}

    static long[] broadcast(long[] a, long[] b) {
        int r = Math.max(a.length, b.length);
        long[] out = new long[r];
        for (int i = 0; i < r; i++) {
            long da = i - (r - a.length) >= 0 ? a[i - (r - a.length)] : 1;
            long db = i - (r - b.length) >= 0 ? b[i - (r - b.length)] : 1;
            if (da != db && da != 1 && db != 1) throw new IllegalArgumentException("cannot broadcast " + Arrays.toString(a) + " and " + Arrays.toString(b));
            out[i] = Math.max(da, db);
        }
        return out;
    }
}

package org.detrdistill.datasets.eval;

/**
 * Stable sorting of index ranges by a {@code double} key, highest first, with primitive comparisons only: equal keys
 * (including {@code -0.0} and {@code 0.0}, which NumPy also treats as equal) keep their current relative order. This is
 * the order of NumPy's {@code argsort(-key, kind='mergesort')} restricted to the range, which pycocotools uses for
 * detection scores. Keys must not be NaN.
 */
final class StableSort {
    private static final int INSERTION_MAX = 24;

    private StableSort() {}

    /** Sorts {@code idx[from, to)} by {@code key[idx[i]]} descending, stably. */
    static void byDescendingKey(int[] idx, int from, int to, double[] key) {
        int n = to - from;
        if (n < 2) return;
        if (n <= INSERTION_MAX) {
            insertion(idx, from, to, key);
            return;
        }
        int[] tmp = new int[n];
        mergeSort(idx, tmp, from, to, key);
    }

    private static void insertion(int[] idx, int from, int to, double[] key) {
        for (int i = from + 1; i < to; i++) {
            int v = idx[i];
            double kv = key[v];
            int j = i - 1;
            while (j >= from && key[idx[j]] < kv) {
                idx[j + 1] = idx[j];
                j--;
            }
            idx[j + 1] = v;
        }
    }

    /** Top-down merge sort of {@code a[from, to)}; {@code tmp} has at least {@code to - from} slots. */
    private static void mergeSort(int[] a, int[] tmp, int from, int to, double[] key) {
        int n = to - from;
        if (n <= INSERTION_MAX) {
            insertion(a, from, to, key);
            return;
        }
        int mid = from + n / 2;
        mergeSort(a, tmp, from, mid, key);
        mergeSort(a, tmp, mid, to, key);
        if (!(key[a[mid - 1]] < key[a[mid]])) return; // already in order: last of left >= first of right
        System.arraycopy(a, from, tmp, 0, mid - from);
        int i = 0, iEnd = mid - from, j = mid, k = from;
        while (i < iEnd && j < to) {
            // take from the right only if strictly greater: ties keep the left (earlier) element first
            if (key[a[j]] > key[tmp[i]]) a[k++] = a[j++];
            else a[k++] = tmp[i++];
        }
        while (i < iEnd) a[k++] = tmp[i++];
    }
}

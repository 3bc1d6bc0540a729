package org.detrdistill.datasets.eval;

import java.util.Arrays;

/**
 * Primitive-array helpers to group entries by a small integer key without boxing: stable counting sorts,
 * bucket start offsets and sorted-unique id lists.
 */
final class Grouping {
    private Grouping() {}

    /**
     * A stable counting sort of entry indices by {@code keys[i]} in {@code [0, buckets)}.
     *
     * @param keys    key per entry
     * @param order   the current order of the entries (a permutation of {@code 0..keys.length-1}); {@code null} means
     *                ascending index. Entries with equal keys keep this relative order.
     * @param buckets number of distinct keys
     * @return the entry indices ordered by key, ties in {@code order}'s order
     */
    static int[] stableCountingOrder(int[] keys, int[] order, int buckets) {
        int n = keys.length;
        int[] start = starts(keys, buckets);
        int[] next = Arrays.copyOf(start, buckets);
        int[] out = new int[n];
        for (int j = 0; j < n; j++) {
            int i = order == null ? j : order[j];
            out[next[keys[i]]++] = i;
        }
        return out;
    }

    /** {@code [buckets+1]} cumulative counts: entries with key k occupy {@code [s[k], s[k+1])} in key order. */
    static int[] starts(int[] keys, int buckets) {
        int[] s = new int[buckets + 1];
        for (int k : keys) s[k + 1]++;
        for (int k = 0; k < buckets; k++) s[k + 1] += s[k];
        return s;
    }

    /** Sorts {@code v} in place and returns its distinct values (ascending). */
    static long[] sortedUnique(long[] v) {
        Arrays.sort(v);
        int n = 0;
        for (int i = 0; i < v.length; i++) if (i == 0 || v[i] != v[i - 1]) v[n++] = v[i];
        return Arrays.copyOf(v, n);
    }

    /** Sorts {@code v} in place and returns its distinct values (ascending). */
    static int[] sortedUnique(int[] v) {
        Arrays.sort(v);
        int n = 0;
        for (int i = 0; i < v.length; i++) if (i == 0 || v[i] != v[i - 1]) v[n++] = v[i];
        return Arrays.copyOf(v, n);
    }
}

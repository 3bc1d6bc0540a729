package org.detrdistill.core.postprocess;

/**
 * Top-k selection on primitive scores without boxing: a bounded min-heap of indices, O(n log k).
 * Order: higher score first; equal scores keep the lower index first (deterministic, unlike {@code torch.topk}).
 * Scores must not be NaN.
 */
final class TopK {
    private TopK() {}

    /**
     * @param score {@code [n]} scores
     * @param k     number to keep, {@code 0 <= k <= n}
     * @return the indices of the {@code k} best scores, best first
     */
    static int[] select(double[] score, int k) {
        int[] heap = new int[k]; // heap[0] = the worst of the kept ones
        int size = 0;
        for (int i = 0; i < score.length && k > 0; i++) {
            if (size < k) {
                heap[size] = i;
                siftUp(heap, size++, score);
            } else if (better(i, heap[0], score)) {
                heap[0] = i;
                siftDown(heap, 0, size, score);
            }
        }
        // heap sort: repeatedly move the worst to the end, so the array ends best-first
        for (int end = size - 1; end > 0; end--) {
            int worst = heap[0];
            heap[0] = heap[end];
            heap[end] = worst;
            siftDown(heap, 0, end, score);
        }
        return heap;
    }

    /** Whether index {@code a} ranks before index {@code b}. */
    private static boolean better(int a, int b, double[] s) {
        return s[a] > s[b] || (s[a] == s[b] && a < b);
    }

    private static void siftUp(int[] h, int i, double[] s) {
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            if (!better(h[parent], h[i], s)) break; // parent is already worse or equal: heap order holds
            swap(h, i, parent);
            i = parent;
        }
    }

    private static void siftDown(int[] h, int i, int size, double[] s) {
        while (true) {
            int l = 2 * i + 1, r = l + 1, worst = i;
            if (l < size && better(h[worst], h[l], s)) worst = l;
            if (r < size && better(h[worst], h[r], s)) worst = r;
            if (worst == i) return;
            swap(h, i, worst);
            i = worst;
        }
    }

    private static void swap(int[] h, int a, int b) {
        int t = h[a];
        h[a] = h[b];
        h[b] = t;
    }
}

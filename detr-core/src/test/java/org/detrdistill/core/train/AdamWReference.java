package org.detrdistill.core.train;

/**
 * Plain-Java double-precision AdamW, written from torch 1.13's {@code _single_tensor_adamw} formulas: the reference
 * the ND4J implementation ({@link AdamW}) is tested against.
 */
final class AdamWReference {
    final double beta1, beta2, eps;
    final double[] m, v;
    long step;

    AdamWReference(int n, double beta1, double beta2, double eps) {
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
        this.m = new double[n];
        this.v = new double[n];
    }

    /** One step on {@code p} in place. */
    void update(double[] p, double[] g, double lr, double wd) {
        step++;
        double bias1 = 1 - Math.pow(beta1, step);
        double bias2Sqrt = Math.sqrt(1 - Math.pow(beta2, step));
        for (int i = 0; i < p.length; i++) {
            p[i] *= 1 - lr * wd;
            m[i] = beta1 * m[i] + (1 - beta1) * g[i];
            v[i] = beta2 * v[i] + (1 - beta2) * g[i] * g[i];
            p[i] -= lr / bias1 * m[i] / (Math.sqrt(v[i]) / bias2Sqrt + eps);
        }
    }
}

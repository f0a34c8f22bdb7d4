"""scikit-learn KMeans on the data of src/cases/cluster.ts (same generator).

Usage: cluster.py N D K. Times KMeans(k, init='k-means++', n_init=1,
max_iter=20, tol=0, algorithm='lloyd') fit; prints the median seconds as the
JSON line the bench expects and the inertia on stderr. Run with
OMP_NUM_THREADS=1 (the bench runner sets it) so both sides use one thread.
"""
import sys

import numpy as np
from sklearn.cluster import KMeans

from timing import report

COMPONENTS = 256
SPREAD = 0.6


def fmix32(h):
    h = h.astype(np.uint32)
    h = (h ^ (h >> np.uint32(16))) * np.uint32(0x85EBCA6B)
    h = (h ^ (h >> np.uint32(13))) * np.uint32(0xC2B2AE35)
    return h ^ (h >> np.uint32(16))


def normal_at(stream, i):
    base = np.uint32((stream * 0x9E3779B9) % 2**32)
    i = i.astype(np.uint64)
    u1 = (fmix32(((2 * i) % 2**32).astype(np.uint32) + base).astype(np.float64) + 0.5) / 4294967296.0
    u2 = (fmix32(((2 * i + 1) % 2**32).astype(np.uint32) + base).astype(np.float64) + 0.5) / 4294967296.0
    return np.sqrt(-2.0 * np.log(u1)) * np.cos(2.0 * np.pi * u2)


def mixture_data(n, d):
    with np.errstate(over="ignore"):
        centres = normal_at(1, np.arange(COMPONENTS * d)).reshape(COMPONENTS, d)
        noise = normal_at(2, np.arange(n * d)).reshape(n, d)
    labels = np.arange(n) % COMPONENTS
    return (centres[labels] + SPREAD * noise).astype(np.float32)


def main():
    n, d, k = (int(a) for a in sys.argv[1:4])
    x = mixture_data(n, d)
    inertias = []

    def fit():
        km = KMeans(k, init="k-means++", n_init=1, max_iter=20, tol=0, algorithm="lloyd", random_state=0)
        km.fit(x)
        inertias.append(float(km.inertia_))

    report(fit, repeats=3, warmup=0)
    print(f"scikit-learn inertia {inertias[-1]:.1f} (first rows checksum {float(x[:4].sum()):.6f})", file=sys.stderr)


if __name__ == "__main__":
    main()

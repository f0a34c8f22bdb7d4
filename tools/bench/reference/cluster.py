"""scikit-learn KMeans on the data of src/cases/cluster.ts (same generator).

Usage: cluster.py N D K. Times KMeans(k, init='k-means++', n_init=1,
max_iter=20, tol=0, algorithm='lloyd').fit, which includes the seeding as
ours does; prints the median seconds with ONE thread (OpenMP and BLAS
limited by threadpoolctl; the bench runner also sets OMP_NUM_THREADS=1) as
the JSON line the bench expects. On stderr: the inertia and iterations, the
time split into k-means++ seeding and Lloyd, and one fit with all cores.

Differences that remain: scikit-learn's k-means++ is the greedy variant
(2 + ln k candidates per centre, the best one kept), ours is the plain one
(one draw per centre), so its seeding does about 8x the distance work at
k = 1000 and usually ends with a slightly lower inertia; both stop at the
first iteration that changes no label (tol = 0).
"""
import os
import sys
import time

import numpy as np
from sklearn.cluster import KMeans, kmeans_plusplus
from threadpoolctl import threadpool_limits

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


def make(k, init="k-means++"):
    return KMeans(k, init=init, n_init=1, max_iter=20, tol=0, algorithm="lloyd", random_state=0)


def log(line):
    print(line, file=sys.stderr)


def timed(fn):
    start = time.perf_counter()
    out = fn()
    return time.perf_counter() - start, out


def main():
    n, d, k = (int(a) for a in sys.argv[1:4])
    x = mixture_data(n, d)
    fits = []

    cpu = []

    def fit():
        start = time.process_time()
        fits.append(make(k).fit(x))
        cpu.append(time.process_time() - start)

    with threadpool_limits(limits=1):
        report(fit, repeats=3, warmup=0)
        seconds_init, (centres, _) = timed(lambda: kmeans_plusplus(x, k, random_state=0))
        seconds_lloyd, from_centres = timed(lambda: make(k, init=centres).fit(x))
    threads = os.cpu_count() or 1
    with threadpool_limits(limits=threads):
        seconds_all, _ = timed(lambda: make(k).fit(x))
    km = fits[-1]
    log(f"scikit-learn inertia {km.inertia_:.1f}, iterations {km.n_iter_} (first rows checksum {float(x[:4].sum()):.6f})")
    log(f"scikit-learn 1 thread: CPU seconds per fit {', '.join(f'{c:.2f}' for c in cpu)}")
    log(f"scikit-learn 1 thread: k-means++ (greedy) {seconds_init:.2f} s + Lloyd {seconds_lloyd:.2f} s ({from_centres.n_iter_} iterations)")
    log(f"scikit-learn {threads} threads: fit {seconds_all:.2f} s")


if __name__ == "__main__":
    main()

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

from sklearn.cluster import KMeans, kmeans_plusplus
from threadpoolctl import threadpool_limits

from mixture_data import mixture_data
from timing import report


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

"""faiss k-means (Debian python3-faiss 1.7.3, the library PCL's E-step calls)
on the data of src/cases/cluster.ts, one thread.

Usage: kmeans_faiss.py N D K ITERATIONS SEED [INIT_FILE]. Trains
faiss.Kmeans(d, k, niter=ITERATIONS, nredo=1, seed=SEED,
max_points_per_centroid=1000) on mixture_data(N, D) (the same generator as
cluster.ts, so no data file is exchanged); with INIT_FILE (K * D raw
little-endian float32, row-major) it starts from those centroids
(init_centroids), otherwise from faiss's own random rows. faiss runs every
iteration (it has no fixed-point stop). Prints one JSON line: seconds of
train() (generation excluded), its CPU seconds, the inertia (sum of squared distances of
every row to its nearest final centroid, computed after the timing, in
float64 from a flat L2 search) and the iterations run.

No torch, no scikit-learn: only numpy and faiss.
"""
import json
import sys
import time

import faiss
import numpy as np

from mixture_data import mixture_data


def main():
    n, d, k, iterations, seed = (int(a) for a in sys.argv[1:6])
    init = None
    if len(sys.argv) > 6:
        init = np.fromfile(sys.argv[6], dtype="<f4").reshape(k, d)
    faiss.omp_set_num_threads(1)
    x = mixture_data(n, d)
    km = faiss.Kmeans(d, k, niter=iterations, nredo=1, seed=seed, max_points_per_centroid=1000, verbose=False)
    start = time.perf_counter()
    cpu_start = time.process_time()
    km.train(x, init_centroids=init)
    seconds = time.perf_counter() - start
    cpu_seconds = time.process_time() - cpu_start
    index = faiss.IndexFlatL2(d)
    index.add(km.centroids)
    distances, _ = index.search(x, 1)
    print(json.dumps({"seconds": seconds, "cpuSeconds": cpu_seconds, "inertia": float(distances.astype(np.float64).sum()), "iterations": iterations}))


if __name__ == "__main__":
    main()
